import { MigrationInterface, QueryRunner } from 'typeorm';

/** Files the SFTP consumer has taken, keyed by name + size + mtime. */
export class SftpIdempotentRepository1764200000000 implements MigrationInterface {
  name = 'SftpIdempotentRepository1764200000000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }
}
