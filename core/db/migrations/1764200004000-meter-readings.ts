import { MigrationInterface, QueryRunner } from 'typeorm';

/** Daily meter readings consumed from the collection system. */
export class MeterReadings1764200004000 implements MigrationInterface {
  name = 'MeterReadings1764200004000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }
}
