import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Daily meter readings consumed from the collection system (daily freeze
 * of forward active energy: total and tariff registers r1..r4, in kWh).
 *
 * Readings are numeric(14,4), not bigint milli-kWh: the collection system
 * sends decimal kWh with up to four decimals, numeric keeps exactly what
 * was sent (no scaling rule to apply in every query, no lost fourth
 * decimal, no float rounding: pg returns numeric as a string), and daily
 * consumption (reading(d) − reading(d−1)) × multiplier stays exact in SQL.
 * Ten integer digits cover any register. At one row per measuring point
 * and day the storage difference to bigint does not matter.
 *
 * (mp_id, data_date) is the primary key: a re-delivered record hits
 * INSERT … ON CONFLICT (mp_id, data_date) and changes nothing. The source
 * topic/partition/offset say which record a row came from.
 */
export class MeterReadings1764200004000 implements MigrationInterface {
  name = 'MeterReadings1764200004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meter_daily_reading (
        mp_id             text NOT NULL,
        data_date         date NOT NULL,
        meter_id          text,
        cons_no           text,
        org_no            text,
        r_total           numeric(14,4),
        r1                numeric(14,4),
        r2                numeric(14,4),
        r3                numeric(14,4),
        r4                numeric(14,4),
        status            text,
        coll_time         timestamptz,
        source_topic      text NOT NULL,
        source_partition  integer NOT NULL,
        source_offset     bigint NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT meter_daily_reading_pkey PRIMARY KEY (mp_id, data_date)
      )`);
    await q.query(`CREATE INDEX meter_daily_reading_cons_no_idx ON meter_daily_reading (cons_no, data_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE meter_daily_reading`);
  }
}
