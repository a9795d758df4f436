import { MigrationInterface, QueryRunner } from 'typeorm';

/** Recent back-office exchanges per operation, personal data masked (dry-run samples). */
export class MessageLog1764200002000 implements MigrationInterface {
  name = 'MessageLog1764200002000';

  async up(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }

  async down(_q: QueryRunner): Promise<void> {
    // filled in by the change that needs it
  }
}
