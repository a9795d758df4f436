import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files taken from back-office drops, and the reconciliation records loaded
 * from them. A file's records and its row commit together or not at all.
 */
export class FileRecords1764200003000 implements MigrationInterface {
  name = 'FileRecords1764200003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbound_file (
        id           bigserial PRIMARY KEY,
        layout       text NOT NULL,
        name         text NOT NULL,
        size         bigint NOT NULL,
        mtime        bigint NOT NULL,
        lines        integer,
        records      integer,
        received_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (layout, name, size, mtime)
      )`);
    await q.query(`
      CREATE TABLE reconciliation_record (
        file_id      bigint NOT NULL REFERENCES inbound_file (id) ON DELETE CASCADE,
        line_no      integer NOT NULL,
        serial       text NOT NULL,
        account_no   text NOT NULL,
        bill_month   text,
        amount_fen   bigint NOT NULL,
        paid_at      timestamptz,
        PRIMARY KEY (file_id, line_no)
      )`);
    await q.query(`CREATE INDEX reconciliation_record_serial_idx ON reconciliation_record (serial)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation_record`);
    await q.query(`DROP TABLE inbound_file`);
  }
}
