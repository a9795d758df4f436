import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log-in throttling per (account name, client address), replacing the
 * per-account lock-out that anyone could trigger against any operator.
 * Names that are no operator get rows too: unknown and known names are
 * throttled alike.
 */
export class LoginThrottle1764600000000 implements MigrationInterface {
  name = 'LoginThrottle1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_throttle (
        username         text NOT NULL,
        client_ip        text NOT NULL,
        failures         integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        retry_at         timestamptz,
        last_failure_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (username, client_ip)
      )`);
    await q.query(`CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at)`);
    // the lock-out columns are no longer read; dropped so nobody relies on them
    await q.query(`ALTER TABLE operator DROP COLUMN failed_attempts, DROP COLUMN locked_until`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operator ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    await q.query(`DROP TABLE login_throttle`);
  }
}
