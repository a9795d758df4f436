import { DataSource } from 'typeorm';
import type { RegisterReading } from '../../core/electricity/usage-series';

/**
 * The daily readings of one account's measuring points, as the collection
 * channel stored them (core/collection/meter-reading-store.ts, table
 * meter_daily_reading, cons_no = the account). numeric comes back as text:
 * the series are computed exactly from it (core/electricity).
 */
export async function readingsOf(ds: DataSource, accountNo: string, first: string, last: string): Promise<{ readings: RegisterReading[]; receivedAt: Date | null }> {
  const rows = (await ds.query(
    `SELECT mp_id, to_char(data_date, 'YYYY-MM-DD') AS day, r_total::text AS total,
            r1::text AS r1, r2::text AS r2, r3::text AS r3, r4::text AS r4, received_at
       FROM meter_daily_reading
      WHERE cons_no = $1 AND data_date BETWEEN $2::date AND $3::date
      ORDER BY mp_id, data_date`,
    [accountNo, first, last],
  )) as Array<{ mp_id: string; day: string; total: string | null; r1: string | null; r2: string | null; r3: string | null; r4: string | null; received_at: Date }>;
  let receivedAt: Date | null = null;
  const readings = rows.map((r) => {
    if (!receivedAt || r.received_at > receivedAt) receivedAt = r.received_at;
    return { meterPointId: r.mp_id, date: r.day, total: r.total, registers: [r.r1, r.r2, r.r3, r.r4] };
  });
  return { readings, receivedAt };
}
