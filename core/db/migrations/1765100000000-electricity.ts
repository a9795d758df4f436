import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * My electricity (services/electricity): the low-balance threshold a user
 * sets per bound account (integer fen), and the e-bill subscription changes a
 * user asked for. A change is delivered to the marketing system by the outbox
 * (operation marketing.subscribeEBill, serial = this row's serial), written in
 * the same transaction; its state is the outbox row's. The e-mail address is
 * personal data: a PiiCipher token, never in clear.
 */
export class Electricity1765100000000 implements MigrationInterface {
  name = 'Electricity1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE electricity_balance_thresholds (
        user_id        text NOT NULL,
        account_no     text NOT NULL,
        threshold_fen  bigint NOT NULL CHECK (threshold_fen >= 0),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT electricity_balance_thresholds_pkey PRIMARY KEY (user_id, account_no)
      )`);
    await q.query(`
      CREATE TABLE electricity_ebill_requests (
        id          bigserial PRIMARY KEY,
        serial      text NOT NULL UNIQUE,
        user_id     text NOT NULL,
        account_no  text NOT NULL,
        subscribe   boolean NOT NULL,
        email_enc   text,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX electricity_ebill_requests_account ON electricity_ebill_requests (account_no, id DESC)`);
    await q.query(`COMMENT ON COLUMN electricity_ebill_requests.email_enc IS 'PiiCipher token of the e-mail address for e-bills (null: none given)'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS electricity_ebill_requests`);
    await q.query(`DROP TABLE IF EXISTS electricity_balance_thresholds`);
  }
}
