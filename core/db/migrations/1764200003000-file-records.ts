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
        -- No foreign key: a per-row check would halve the COPY rate; the file row
        -- and its records are written in one transaction by the same code.
        file_id      bigint NOT NULL,
        line_no      integer NOT NULL,
        serial       text NOT NULL,
        account_no   text NOT NULL,
        bill_month   text,
        amount_fen   bigint NOT NULL,
        paid_at      timestamptz
      )`);
    // No primary key: a file is loaded whole and once (inbound_file's unique key), so
    // (file_id, line_no) is unique by construction; an index per row costs COPY speed.
    await q.query(`CREATE INDEX reconciliation_record_file_idx ON reconciliation_record USING brin (file_id)`);
    await q.query(`CREATE INDEX reconciliation_record_serial_idx ON reconciliation_record (serial)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation_record`);
    await q.query(`DROP TABLE inbound_file`);
  }
}
