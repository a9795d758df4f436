import { DataSource } from 'typeorm';
import { DAILY_READING, columnsOf } from '../mapping/canonical';

/** A daily reading as the topic shapes in mappings/topics produce it (the canonical daily-reading, docs/canonical-shapes.md). */
export interface CanonicalDailyReading {
  meterPointId: string;
  accountNo?: string;
  dataDate: string;
  readingTotal: number | string | null;
  readings?: Array<number | string | null>;
  collectedAt?: string;
  orgNo?: string;
  status?: string;
}

export interface SourcedReading {
  reading: CanonicalDailyReading;
  topic: string;
  partition: number;
  offset: number;
}

/** The columns of the canonical daily reading (its x-column, r1..r4 from `readings`), then where the record came from. */
const COLUMNS = [...columnsOf(DAILY_READING).flatMap((c) => c.column.split(', ')), 'source_topic', 'source_partition', 'source_offset'];
const TYPES = ['text', 'date', 'text', 'text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text', 'timestamptz', 'text', 'int', 'bigint'];
// The row below is built in this column order: a change of the canonical shape must change it too.
if (COLUMNS.join() !== 'mp_id,data_date,cons_no,org_no,r_total,r1,r2,r3,r4,status,coll_time,source_topic,source_partition,source_offset') {
  throw new Error(`meter-reading-store: the daily-reading columns changed (${COLUMNS.join(', ')}); update the row order`);
}

/**
 * One statement per batch: one array per column through unnest(), so the
 * batch size is not limited by the 65535 bind parameters. A re-delivered
 * record (same source offset) changes nothing; a newer one for the same
 * meter point and day replaces the older.
 */
const UPSERT = `
  INSERT INTO meter_daily_reading (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (mp_id, data_date) DO UPDATE SET
    ${COLUMNS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
    received_at = now()
  WHERE (meter_daily_reading.source_topic, meter_daily_reading.source_partition, meter_daily_reading.source_offset)
        IS DISTINCT FROM (EXCLUDED.source_topic, EXCLUDED.source_partition, EXCLUDED.source_offset)`;

const text = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));

export async function upsertDailyReadings(ds: DataSource, batch: SourcedReading[]): Promise<number> {
  // ON CONFLICT may touch a row once per statement: keep the last reading per (point, day).
  const last = new Map<string, SourcedReading>();
  for (const r of batch) last.set(`${r.reading.meterPointId}\u0000${r.reading.dataDate}`, r);
  const columns: unknown[][] = COLUMNS.map(() => []);
  for (const { reading: v, topic, partition, offset } of last.values()) {
    const rs = v.readings ?? [];
    const row = [v.meterPointId, v.dataDate, text(v.accountNo), text(v.orgNo), text(v.readingTotal), text(rs[0]), text(rs[1]), text(rs[2]), text(rs[3]), text(v.status), text(v.collectedAt), topic, partition, offset];
    row.forEach((value, i) => columns[i].push(value));
  }
  if (!last.size) return 0;
  await ds.query(UPSERT, columns);
  return last.size;
}

/** Daily consumption from consecutive readings: (reading(d) − reading(d−1)); the meter multiplier is applied by the caller. */
export async function dailyUsage(ds: DataSource, meterPointId: string, from: string, to: string): Promise<Array<{ dataDate: string; readingTotal: string; usedKwh: string | null }>> {
  return ds.query(
    `SELECT to_char(data_date, 'YYYY-MM-DD') AS "dataDate", r_total::text AS "readingTotal",
            (r_total - lag(r_total) OVER (ORDER BY data_date))::text AS "usedKwh"
       FROM meter_daily_reading
      WHERE mp_id = $1 AND data_date BETWEEN ($2::date - 1) AND $3::date
      ORDER BY data_date`,
    [meterPointId, from, to],
  ).then((rows: Array<{ dataDate: string; readingTotal: string; usedKwh: string | null }>) => rows.filter((r) => r.dataDate >= from));
}
