import { MigrationInterface, QueryRunner } from 'typeorm';

/** Recent back-office exchanges per operation, personal data masked (dry-run samples). */
export class MessageLog1764200002000 implements MigrationInterface {
  name = 'MessageLog1764200002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE message_log (
        id                   bigserial PRIMARY KEY,
        at                   timestamptz NOT NULL DEFAULT now(),
        operation            text NOT NULL,
        mapping_version      text NOT NULL,
        request_id           text,
        node_id              text,
        outcome              text NOT NULL,
        duration_ms          integer,
        canonical_request    jsonb,
        backoffice_request   jsonb,
        backoffice_response  jsonb,
        canonical_response   jsonb,
        raw_request          text,
        raw_response         text
      )`);
    await q.query(`CREATE INDEX message_log_operation_idx ON message_log (operation, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_log`);
  }
}
