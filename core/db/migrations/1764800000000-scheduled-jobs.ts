import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled jobs (scheduler/, docs/operations.md "Scheduled jobs"):
 * - job_schedule: when each registered job kind runs, as an operator set it
 *   (seeded from the kind's defaults, never overwritten by a start);
 * - job_lease: one row per job, taken with one atomic UPDATE; its fencing
 *   token only ever grows, and every write of a run is conditioned on it;
 * - job_run: the history, one row per attempt of a scheduled instant.
 */
export class ScheduledJobs1764800000000 implements MigrationInterface {
  name = 'ScheduledJobs1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_schedule (
        job           text PRIMARY KEY,
        cron          text NOT NULL,
        time_zone     text NOT NULL DEFAULT 'Asia/Shanghai',
        paused        boolean NOT NULL DEFAULT false,
        lease_ms      integer NOT NULL DEFAULT 60000 CHECK (lease_ms BETWEEN 1000 AND 3600000),
        max_attempts  integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
        backoff_ms    integer NOT NULL DEFAULT 60000 CHECK (backoff_ms BETWEEN 0 AND 86400000),
        missed        text NOT NULL DEFAULT 'skip' CHECK (missed IN ('skip', 'catchUp')),
        params        jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE job_lease (
        job            text PRIMARY KEY,
        holder         text,
        expires_at     timestamptz NOT NULL DEFAULT '-infinity',
        fencing_token  bigint NOT NULL DEFAULT 0,
        scheduled_for  timestamptz
      )`);
    await q.query(`
      CREATE TABLE job_run (
        id             bigserial PRIMARY KEY,
        job            text NOT NULL,
        scheduled_for  timestamptz NOT NULL,
        attempt        integer NOT NULL DEFAULT 1,
        reason         text NOT NULL CHECK (reason IN ('scheduled', 'manual', 'retry', 'catchUp')),
        node           text NOT NULL,
        fencing_token  bigint NOT NULL,
        started_at     timestamptz NOT NULL DEFAULT now(),
        ended_at       timestamptz,
        outcome        text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed', 'abandoned')),
        progress       jsonb,
        counts         jsonb,
        error          text,
        UNIQUE (job, scheduled_for, attempt)
      )`);
    await q.query(`CREATE INDEX job_run_job_started_idx ON job_run (job, started_at DESC)`);
    await q.query(`CREATE INDEX job_run_running_idx ON job_run (job) WHERE outcome = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_run`);
    await q.query(`DROP TABLE job_lease`);
    await q.query(`DROP TABLE job_schedule`);
  }
}
