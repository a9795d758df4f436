import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users' bindings to electricity accounts (户号). The holder's identity as
 * Alipay shared it is kept encrypted (PiiCipher tokens) and found by a keyed
 * hash (LookupHasher), never in clear. One active binding per user and
 * account; unbinding keeps the row (status 'unbound') for the record.
 */
export class AccountBindings1764400000000 implements MigrationInterface {
  name = 'AccountBindings1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_binding (
        id            bigserial PRIMARY KEY,
        user_id       text NOT NULL,
        account_no    text NOT NULL CHECK (account_no ~ '^[0-9]{10}$'),
        status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unbound')),
        bound_at      timestamptz NOT NULL DEFAULT now(),
        unbound_at    timestamptz,
        cert_no_enc   text NOT NULL,
        mobile_enc    text,
        name_enc      text NOT NULL,
        cert_no_hash  text NOT NULL,
        CHECK ((status = 'active') = (unbound_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX account_binding_active_uq ON account_binding (user_id, account_no) WHERE status = 'active'`);
    await q.query(`CREATE INDEX account_binding_cert_no_hash_idx ON account_binding (cert_no_hash)`);
    await q.query(`CREATE INDEX account_binding_account_no_idx ON account_binding (account_no)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_binding`);
  }
}
