import { DataSource } from 'typeorm';
import { upsertDailyReadings } from './meter-reading-store';

/** Where the demo readings say they came from (no topic: written by the composition root). */
const DEMO_SOURCE = 'demo-seed';

/** kWh with two decimals as exact text, from integer hundredths. */
const kwh = (hundredths: number) => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;

/**
 * The embedded default's demo: 60 days of daily readings of the demo
 * household's meter up to yesterday (Beijing date), so the usage charts of
 * `/api/v1/accounts/{no}/usage/*` show a series. Written once: nothing when
 * the account has readings already. Deterministic (no randomness): the same
 * start day gives the same registers. True when written now.
 */
export async function seedDemoReadings(ds: DataSource, accountNo: string, today: Date = new Date(), days = 60): Promise<boolean> {
  const rows = (await ds.query(`SELECT 1 FROM meter_daily_reading WHERE cons_no = $1 LIMIT 1`, [accountNo])) as unknown[];
  if (rows.length) return false;
  const beijingToday = new Date(today.getTime() + 8 * 3600_000);
  const regs = [120_000, 310_000, 420_000, 260_000]; // sharp, peak, flat, valley in hundredths of kWh
  const batch = [];
  for (let i = days; i >= 1; i--) {
    const day = new Date(Date.UTC(beijingToday.getUTCFullYear(), beijingToday.getUTCMonth(), beijingToday.getUTCDate() - i));
    const dataDate = day.toISOString().slice(0, 10);
    // a household's day: more on weekends, a weekly rhythm, between about 9 and 17 kWh
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6 ? 250 : 0;
    const used = [60 + (i % 3) * 15, 260 + (i % 7) * 20 + weekend, 380 + (i % 5) * 25 + weekend, 220 + (i % 4) * 30];
    used.forEach((u, k) => (regs[k] += u));
    const total = regs.reduce((a, b) => a + b, 0);
    batch.push({
      reading: { meterPointId: `MP${accountNo}`, accountNo, dataDate, readingTotal: kwh(total), readings: regs.map(kwh), status: 'NORMAL', collectedAt: `${dataDate}T23:59:00+08:00` },
      topic: DEMO_SOURCE,
      partition: 0,
      offset: days - i,
    });
  }
  await upsertDailyReadings(ds, batch);
  return true;
}
