import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12, binding completed and the user system:
 * - account_binding gets its kind (IDENTITY: the user's own real-name
 *   identity; MANUAL: account number plus a holder check, for a landlord's or
 *   parents' account, whose holder identity the bus never learns), a label and
 *   the default flag (at most one active default per user; the oldest active
 *   binding of each user becomes its default here).
 * - binding_attempt: manual-binding checks, to throttle guessing.
 * - app_user: one person, keyed by the keyed hash of their mobile (encrypted
 *   too), with the group's unified user id once known; app_user_alipay links
 *   Alipay user ids (token `sub`) to it.
 * - lifenumber_follow / lifenumber_event: the latest follow state per Alipay
 *   user and the append-only event log (a redelivered event is recorded once).
 */
export class UsersAndBindingLimits1765400000000 implements MigrationInterface {
  name = 'UsersAndBindingLimits1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE account_binding ADD COLUMN kind text NOT NULL DEFAULT 'IDENTITY' CHECK (kind IN ('IDENTITY', 'MANUAL'))`);
    await q.query(`ALTER TABLE account_binding ADD COLUMN label text CHECK (label IS NULL OR char_length(label) BETWEEN 1 AND 20)`);
    await q.query(`ALTER TABLE account_binding ADD COLUMN is_default boolean NOT NULL DEFAULT false`);
    // a manual binding knows no identity of the holder
    await q.query(`ALTER TABLE account_binding ALTER COLUMN cert_no_enc DROP NOT NULL`);
    await q.query(`ALTER TABLE account_binding ALTER COLUMN cert_no_hash DROP NOT NULL`);
    await q.query(`ALTER TABLE account_binding ADD CONSTRAINT account_binding_identity_ck CHECK (kind = 'MANUAL' OR (cert_no_enc IS NOT NULL AND cert_no_hash IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX account_binding_default_uq ON account_binding (user_id) WHERE status = 'active' AND is_default`);
    await q.query(`
      UPDATE account_binding b SET is_default = true
       WHERE b.status = 'active'
         AND b.id = (SELECT id FROM account_binding o WHERE o.user_id = b.user_id AND o.status = 'active' ORDER BY o.bound_at, o.id LIMIT 1)`);

    await q.query(`
      CREATE TABLE binding_attempt (
        id          bigserial PRIMARY KEY,
        user_id     text NOT NULL,
        account_no  text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now(),
        outcome     text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'matched', 'mismatch', 'throttled', 'error'))
      )`);
    await q.query(`CREATE INDEX binding_attempt_user_account_idx ON binding_attempt (user_id, account_no, at)`);

    await q.query(`
      CREATE TABLE app_user (
        id                bigserial PRIMARY KEY,
        mobile_hash       text NOT NULL UNIQUE,
        mobile_enc        text NOT NULL,
        unified_user_id   text UNIQUE,
        real_name_status  text NOT NULL DEFAULT 'UNVERIFIED' CHECK (real_name_status IN ('UNVERIFIED', 'VERIFIED')),
        registered_at     timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app_user_alipay (
        alipay_user_id  text PRIMARY KEY,
        user_id         bigint NOT NULL REFERENCES app_user (id),
        linked_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX app_user_alipay_user_idx ON app_user_alipay (user_id)`);

    await q.query(`
      CREATE TABLE lifenumber_follow (
        alipay_user_id  text PRIMARY KEY,
        following       boolean NOT NULL,
        changed_at      timestamptz NOT NULL,
        first_followed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE lifenumber_event (
        id              bigserial PRIMARY KEY,
        alipay_user_id  text NOT NULL,
        event_type      text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        action_param    text,
        dedupe_key      text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX lifenumber_event_type_time_idx ON lifenumber_event (event_type, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lifenumber_event`);
    await q.query(`DROP TABLE lifenumber_follow`);
    await q.query(`DROP TABLE app_user_alipay`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE binding_attempt`);
    await q.query(`DROP INDEX account_binding_default_uq`);
    await q.query(`ALTER TABLE account_binding DROP CONSTRAINT account_binding_identity_ck`);
    await q.query(`ALTER TABLE account_binding DROP COLUMN is_default, DROP COLUMN label, DROP COLUMN kind`);
  }
}
