import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files the SFTP consumer has taken, keyed by endpoint + directory + name +
 * size + mtime (adapters/sftp/pg-idempotent-repository.ts). A row is written
 * before a file is touched and finished after its move, so that a restart
 * neither takes a done file again nor forgets one in progress.
 */
export class SftpIdempotentRepository1764200000000 implements MigrationInterface {
  name = 'SftpIdempotentRepository1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sftp_processed_file (
        endpoint_id   text        NOT NULL,
        directory     text        NOT NULL,
        name          text        NOT NULL,
        size          bigint      NOT NULL CHECK (size >= 0),
        mtime         bigint      NOT NULL,
        state         text        NOT NULL CHECK (state IN ('in-progress', 'done', 'failed')),
        owner         text        NOT NULL,
        attempts      integer     NOT NULL DEFAULT 1 CHECK (attempts >= 1),
        location      text,
        outcome       text        CHECK (outcome IN ('done', 'failed')),
        target_path   text,
        error_code    text,
        error_message text,
        taken_at      timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (endpoint_id, directory, name, size, mtime),
        CHECK (state = 'in-progress' OR outcome = state)
      )`);
    await q.query(`COMMENT ON COLUMN sftp_processed_file.mtime IS 'modification time in ms since the epoch, as the SFTP server reports it (whole seconds)'`);
    await q.query(`COMMENT ON COLUMN sftp_processed_file.outcome IS 'set once the handler answered; the move to target_path may still be pending while state is in-progress'`);
    await q.query(`CREATE INDEX sftp_processed_file_in_progress ON sftp_processed_file (endpoint_id, directory) WHERE state = 'in-progress'`);
    await q.query(`CREATE INDEX sftp_processed_file_finished_at ON sftp_processed_file (finished_at) WHERE state <> 'in-progress'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS sftp_processed_file`);
  }
}
