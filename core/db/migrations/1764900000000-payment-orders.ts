import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The money path: payment orders (our out_trade_no, also the write-off
 * serial), every move of an order's state, refunds, withholding agreements,
 * and the notices the messaging service will tell users. Amounts are integer
 * fen. The states and moves are core/payments/order-machine.ts.
 */
export class PaymentOrders1764900000000 implements MigrationInterface {
  name = 'PaymentOrders1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_orders (
        id                bigserial PRIMARY KEY,
        out_trade_no      text NOT NULL UNIQUE,
        kind              text NOT NULL CHECK (kind IN ('PAY', 'WITHHOLD')),
        user_id           text NOT NULL,
        account_no        text NOT NULL,
        amount_fen        bigint NOT NULL CHECK (amount_fen > 0),
        arrears_fen       bigint NOT NULL CHECK (arrears_fen >= 0),
        bill_key          text NOT NULL,
        subject           text NOT NULL,
        state             text NOT NULL CHECK (state IN ('CREATED', 'WAIT_PAY', 'PAID', 'SUSPECT', 'WRITTEN_OFF', 'PARKED', 'CLOSED', 'FAILED', 'REFUNDED')),
        trade_no          text,
        idempotency_key   text,
        request_hash      text,
        paid_at           timestamptz,
        refunded_fen      bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen),
        expires_at        timestamptz NOT NULL,
        last_error        text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX payment_orders_idempotency ON payment_orders (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    // one open order per account at a time: a second one returns it or is refused (docs/payments.md)
    await q.query(`CREATE UNIQUE INDEX payment_orders_open_per_account ON payment_orders (account_no) WHERE kind = 'PAY' AND state IN ('CREATED', 'WAIT_PAY')`);
    // withholding pays a bill once, whatever node or restart runs the job
    await q.query(`CREATE UNIQUE INDEX payment_orders_withhold_once ON payment_orders (account_no, bill_key) WHERE kind = 'WITHHOLD'`);
    await q.query(`CREATE INDEX payment_orders_user ON payment_orders (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX payment_orders_state ON payment_orders (state, expires_at)`);

    await q.query(`
      CREATE TABLE payment_order_events (
        id          bigserial PRIMARY KEY,
        order_id    bigint NOT NULL REFERENCES payment_orders (id),
        event       text NOT NULL,
        from_state  text NOT NULL,
        to_state    text NOT NULL,
        source      text NOT NULL,
        detail      jsonb,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX payment_order_events_order ON payment_order_events (order_id, id)`);

    await q.query(`
      CREATE TABLE payment_refunds (
        id               bigserial PRIMARY KEY,
        order_id         bigint NOT NULL REFERENCES payment_orders (id),
        out_request_no   text NOT NULL UNIQUE,
        amount_fen       bigint NOT NULL CHECK (amount_fen > 0),
        reason           text NOT NULL,
        operator         text NOT NULL,
        state            text NOT NULL CHECK (state IN ('REQUESTED', 'REFUNDED', 'FAILED')),
        reversal         boolean NOT NULL,
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX payment_refunds_order ON payment_refunds (order_id)`);

    await q.query(`
      CREATE TABLE payment_agreements (
        id                     bigserial PRIMARY KEY,
        external_agreement_no  text NOT NULL UNIQUE,
        agreement_no           text UNIQUE,
        user_id                text NOT NULL,
        account_no             text NOT NULL,
        created_at             timestamptz NOT NULL DEFAULT now(),
        status                 text NOT NULL CHECK (status IN ('PENDING', 'NORMAL', 'UNSIGN')),
        signed_at              timestamptz,
        unsigned_at            timestamptz,
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX payment_agreements_account ON payment_agreements (account_no) WHERE status = 'NORMAL'`);

    await q.query(`
      CREATE TABLE payment_notices (
        id          bigserial PRIMARY KEY,
        user_id     text NOT NULL,
        account_no  text NOT NULL,
        kind        text NOT NULL,
        reason      text NOT NULL,
        order_id    bigint REFERENCES payment_orders (id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz
      )`);
    await q.query(`CREATE INDEX payment_notices_unsent ON payment_notices (created_at) WHERE sent_at IS NULL`);

    // what became of each notification: applied, absorbed, or kept as an anomaly (unknown order, wrong amount)
    await q.query(`ALTER TABLE alipay_notifications ADD COLUMN outcome text, ADD COLUMN anomaly text`);
    // a status is taken once per order, but an anomaly (a wrong amount) must not hold the slot of the genuine notification
    await q.query(`DROP INDEX alipay_notifications_trade_status_key`);
    await q.query(`
      CREATE UNIQUE INDEX alipay_notifications_trade_status_key
        ON alipay_notifications (out_trade_no, trade_status)
        WHERE out_trade_no IS NOT NULL AND trade_status IS NOT NULL AND anomaly IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS alipay_notifications_trade_status_key`);
    await q.query(`ALTER TABLE alipay_notifications DROP COLUMN IF EXISTS outcome, DROP COLUMN IF EXISTS anomaly`);
    await q.query(`
      CREATE UNIQUE INDEX alipay_notifications_trade_status_key
        ON alipay_notifications (out_trade_no, trade_status)
        WHERE out_trade_no IS NOT NULL AND trade_status IS NOT NULL`);
    await q.query(`DROP TABLE IF EXISTS payment_notices`);
    await q.query(`DROP TABLE IF EXISTS payment_agreements`);
    await q.query(`DROP TABLE IF EXISTS payment_refunds`);
    await q.query(`DROP TABLE IF EXISTS payment_order_events`);
    await q.query(`DROP TABLE IF EXISTS payment_orders`);
  }
}
