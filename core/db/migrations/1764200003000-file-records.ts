import { MigrationInterface, QueryRunner } from 'typeorm';

/** Records loaded from back-office files (reconciliation details). */
export class FileRecords1764200003000 implements MigrationInterface {
  name = 'FileRecords1764200003000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }
}
