import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Power services (issue 12, services/power): real-name status as Alipay last
 * answered it, illegal-use reports and feedback with their photos and status
 * timeline (each one a marketing-system ticket through the outbox), and the
 * points ledger: balances that a constraint keeps from going negative,
 * append-only entries (a trigger refuses UPDATE and DELETE), earning once per
 * source event, redemptions idempotent per client request id.
 */
export class PowerServices1765300000000 implements MigrationInterface {
  name = 'PowerServices1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE power_real_name (
        user_id       text PRIMARY KEY,
        certified     boolean NOT NULL,
        name_enc      text,
        cert_no_enc   text,
        cert_type     text,
        checked_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE power_reports (
        id                  bigserial PRIMARY KEY,
        serial              text NOT NULL UNIQUE,
        user_id             text NOT NULL,
        kind                text NOT NULL CHECK (kind IN ('ILLEGAL_USE', 'FEEDBACK', 'COMPLAINT')),
        content_enc         text NOT NULL,
        account_no          text,
        contact_mobile_enc  text,
        lat                 numeric(9, 6) CHECK (lat BETWEEN -90 AND 90),
        lng                 numeric(9, 6) CHECK (lng BETWEEN -180 AND 180),
        location_source     text CHECK (location_source IN ('USER', 'PHOTO')),
        status              text NOT NULL CHECK (status IN ('SUBMITTED', 'ACCEPTED', 'IN_PROGRESS', 'CLOSED', 'REFUSED')),
        ticket_no           text,
        reply               text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CHECK ((lat IS NULL) = (lng IS NULL) AND (lat IS NULL) = (location_source IS NULL))
      )`);
    await q.query(`CREATE INDEX power_reports_user ON power_reports (user_id, id DESC)`);
    await q.query(`CREATE INDEX power_reports_open ON power_reports (status, updated_at) WHERE status IN ('ACCEPTED', 'IN_PROGRESS')`);

    await q.query(`
      CREATE TABLE power_report_photos (
        id          bigserial PRIMARY KEY,
        report_id   bigint NOT NULL REFERENCES power_reports (id),
        seq         integer NOT NULL,
        path        text NOT NULL UNIQUE,
        media_type  text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
        bytes       integer NOT NULL CHECK (bytes > 0),
        sha256      text NOT NULL,
        UNIQUE (report_id, seq)
      )`);

    await q.query(`
      CREATE TABLE power_report_events (
        id          bigserial PRIMARY KEY,
        report_id   bigint NOT NULL REFERENCES power_reports (id),
        status      text NOT NULL,
        reply       text,
        source      text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX power_report_events_report ON power_report_events (report_id, id)`);

    await q.query(`
      CREATE TABLE points_accounts (
        user_id     text PRIMARY KEY,
        balance     bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE points_ledger (
        id             bigserial PRIMARY KEY,
        user_id        text NOT NULL REFERENCES points_accounts (user_id),
        delta          bigint NOT NULL CHECK (delta <> 0),
        balance_after  bigint NOT NULL CHECK (balance_after >= 0),
        reason         text NOT NULL,
        source_event   text NOT NULL,
        actor          text NOT NULL,
        at             timestamptz NOT NULL DEFAULT now()
      )`);
    // earning (and any entry) happens once per source event, whatever node or retry brings it
    await q.query(`CREATE UNIQUE INDEX points_ledger_source ON points_ledger (source_event)`);
    await q.query(`CREATE INDEX points_ledger_user ON points_ledger (user_id, id DESC)`);
    await q.query(`
      CREATE FUNCTION points_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'points_ledger is append-only: % refused', TG_OP;
      END $$`);
    await q.query(`CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only()`);

    await q.query(`
      CREATE TABLE points_catalogue (
        item_id      text PRIMARY KEY CHECK (item_id ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
        name         text NOT NULL,
        description  text,
        cost         bigint NOT NULL CHECK (cost > 0),
        stock        integer CHECK (stock >= 0),
        active       boolean NOT NULL DEFAULT true,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // no rows here: a restore (gridbus backup) creates the schema by migrations, then loads the rows;
    // the embedded default's starter catalogue is seeded at start (core/power/demo-catalogue.ts)

    await q.query(`
      CREATE TABLE points_redemptions (
        id                 bigserial PRIMARY KEY,
        user_id            text NOT NULL,
        client_request_id  text NOT NULL,
        item_id            text NOT NULL REFERENCES points_catalogue (item_id),
        cost               bigint NOT NULL CHECK (cost > 0),
        ledger_id          bigint NOT NULL REFERENCES points_ledger (id),
        created_at         timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, client_request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE points_redemptions`);
    await q.query(`DROP TABLE points_catalogue`);
    await q.query(`DROP TABLE points_ledger`);
    await q.query(`DROP FUNCTION points_ledger_append_only()`);
    await q.query(`DROP TABLE points_accounts`);
    await q.query(`DROP TABLE power_report_events`);
    await q.query(`DROP TABLE power_report_photos`);
    await q.query(`DROP TABLE power_reports`);
    await q.query(`DROP TABLE power_real_name`);
  }
}
