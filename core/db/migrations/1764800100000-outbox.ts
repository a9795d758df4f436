import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The closed-loop outbox: everything the marketing system must learn, one row
 * per canonical operation call, written in the same transaction as the change
 * that causes it and delivered by services/outbox in order per partition key
 * (the account number). Personal data in `payload` is a PiiCipher token.
 */
export class Outbox1764800100000 implements MigrationInterface {
  name = 'Outbox1764800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        operation text NOT NULL,
        partition_key text NOT NULL,
        serial text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivering', 'delivered', 'dead', 'discarded', 'unknown')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        discard_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // the heads of the partitions: the oldest row not yet settled of each account
    await q.query(`CREATE INDEX outbox_open ON outbox (partition_key, id) WHERE status IN ('pending', 'delivering', 'unknown', 'dead')`);
    await q.query(`CREATE INDEX outbox_status_created ON outbox (status, created_at)`);
    await q.query(`COMMENT ON COLUMN outbox.serial IS 'idempotency key sent with the operation: the back end applies a serial once'`);
    await q.query(`COMMENT ON COLUMN outbox.payload IS '{ data: fields in clear, pii: PiiCipher token of the personal fields }'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outbox`);
  }
}
