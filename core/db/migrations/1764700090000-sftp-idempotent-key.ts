import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SFTP consumer's idempotent key (Camel's `idempotentKey`, by default the
 * sha256 of the content): the same content put again with a new mtime is a
 * duplicate, recorded with state `duplicate` and never loaded twice
 * (adapters/sftp/pg-idempotent-repository.ts). Rows written before this
 * migration have no key and hold none.
 */
export class SftpIdempotentKey1764700090000 implements MigrationInterface {
  name = 'SftpIdempotentKey1764700090000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sftp_processed_file ADD COLUMN idempotent_key text, ADD COLUMN duplicate_of text`);
    await q.query(`ALTER TABLE sftp_processed_file DROP CONSTRAINT IF EXISTS sftp_processed_file_state_check`);
    await q.query(`ALTER TABLE sftp_processed_file DROP CONSTRAINT IF EXISTS sftp_processed_file_outcome_check`);
    await q.query(`ALTER TABLE sftp_processed_file ADD CONSTRAINT sftp_processed_file_state_check CHECK (state IN ('in-progress', 'done', 'failed', 'duplicate'))`);
    await q.query(`ALTER TABLE sftp_processed_file ADD CONSTRAINT sftp_processed_file_outcome_check CHECK (outcome IN ('done', 'failed', 'duplicate'))`);
    // one file per key is loaded (done) or being loaded (in progress, undecided or decided done)
    await q.query(`
      CREATE UNIQUE INDEX sftp_processed_file_idempotent_key ON sftp_processed_file (endpoint_id, directory, idempotent_key)
       WHERE idempotent_key IS NOT NULL AND (coalesce(outcome, state) = 'done' OR (state = 'in-progress' AND outcome IS NULL))`);
    await q.query(`COMMENT ON COLUMN sftp_processed_file.idempotent_key IS 'the idempotentKey option''s value for this file: sha256:<hex> of the content by default'`);
    await q.query(`COMMENT ON COLUMN sftp_processed_file.duplicate_of IS 'state duplicate: name of the earlier file loaded with the same idempotent_key'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS sftp_processed_file_idempotent_key`);
    await q.query(`DELETE FROM sftp_processed_file WHERE state = 'duplicate' OR outcome = 'duplicate'`);
    await q.query(`ALTER TABLE sftp_processed_file DROP CONSTRAINT IF EXISTS sftp_processed_file_state_check, DROP CONSTRAINT IF EXISTS sftp_processed_file_outcome_check`);
    await q.query(`ALTER TABLE sftp_processed_file ADD CONSTRAINT sftp_processed_file_state_check CHECK (state IN ('in-progress', 'done', 'failed')),
                   ADD CONSTRAINT sftp_processed_file_outcome_check CHECK (outcome IN ('done', 'failed'))`);
    await q.query(`ALTER TABLE sftp_processed_file DROP COLUMN duplicate_of, DROP COLUMN idempotent_key`);
  }
}
