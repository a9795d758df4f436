import { MigrationInterface, QueryRunner } from 'typeorm';

/** Operator accounts (roles, lock-out) and refresh tokens (rotated on use, revocable). */
export class OperatorsAndSessions1764300001000 implements MigrationInterface {
  name = 'OperatorsAndSessions1764300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operator (
        id               bigserial PRIMARY KEY,
        username         text NOT NULL UNIQUE,
        password_hash    text NOT NULL,
        roles            text[] NOT NULL CHECK (roles <@ ARRAY['admin', 'operator', 'auditor']::text[] AND cardinality(roles) > 0),
        failed_attempts  integer NOT NULL DEFAULT 0,
        locked_until     timestamptz,
        disabled         boolean NOT NULL DEFAULT false,
        created_at       timestamptz NOT NULL DEFAULT now(),
        last_login_at    timestamptz
      )`);
    await q.query(`
      CREATE TABLE refresh_token (
        id           bigserial PRIMARY KEY,
        token_hash   text NOT NULL UNIQUE,
        subject      text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('user', 'operator')),
        family       uuid NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        used_at      timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_token_family_idx ON refresh_token (family)`);
    await q.query(`CREATE INDEX refresh_token_subject_idx ON refresh_token (subject)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refresh_token`);
    await q.query(`DROP TABLE operator`);
  }
}
