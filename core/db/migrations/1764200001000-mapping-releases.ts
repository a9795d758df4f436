import { MigrationInterface, QueryRunner } from 'typeorm';

/** Published versions of the mapping definitions. */
export class MappingReleases1764200001000 implements MigrationInterface {
  name = 'MappingReleases1764200001000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }
}
