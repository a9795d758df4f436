import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alipay asynchronous notifications as received (after verification), once
 * each: keyed by notify_id (the nonce Alipay repeats on every retry) and, for
 * trade notifications, by (out_trade_no, trade_status), so a replay or a
 * re-sent status is acknowledged without doing the work again. Amounts are
 * integer fen; `fields` keeps every received field (sign included) as
 * evidence.
 */
export class AlipayNotifications1764300000000 implements MigrationInterface {
  name = 'AlipayNotifications1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alipay_notifications (
        id                  bigserial PRIMARY KEY,
        notify_id           text NOT NULL,
        notify_type         text NOT NULL,
        notify_time         timestamptz NOT NULL,
        app_id              text NOT NULL,
        out_trade_no        text,
        trade_no            text,
        trade_status        text,
        total_fen           bigint,
        receipt_fen         bigint,
        buyer_id            text,
        gmt_payment         timestamptz,
        fields              jsonb NOT NULL,
        source_ip           text,
        request_id          text,
        node_id             text,
        received_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT alipay_notifications_notify_id_key UNIQUE (notify_id)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX alipay_notifications_trade_status_key
        ON alipay_notifications (out_trade_no, trade_status)
        WHERE out_trade_no IS NOT NULL AND trade_status IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alipay_notifications`);
  }
}
