import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily aggregates of the access events (scheduler/jobs/access-rollup.job.ts):
 * one row per day (in the roll-up's time zone) and function, rewritten
 * whole by each roll-up of that day, kept after the events are pruned.
 */
export class AccessDaily1764800001000 implements MigrationInterface {
  name = 'AccessDaily1764800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access_daily (
        day        date NOT NULL,
        function   text NOT NULL,
        calls      integer NOT NULL,
        ok         integer NOT NULL,
        refused    integer NOT NULL,
        errors     integer NOT NULL,
        users      integer NOT NULL,
        p50_ms     double precision,
        p95_ms     double precision,
        rolled_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (day, function)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_daily`);
  }
}
