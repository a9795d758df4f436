import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `in_doubt`: some attempt of this row timed out or its node died mid-call, so
 * the back end may still apply it late, even after a settle query said "not
 * found". Such a row is never parked `dead` ("never applied") but `unknown`:
 * a payment whose write-off is in doubt is not refunded as if never posted.
 */
export class OutboxInDoubt1765000000000 implements MigrationInterface {
  name = 'OutboxInDoubt1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN in_doubt boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN in_doubt`);
  }
}
