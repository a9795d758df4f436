import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { seedDemoReadings } from '../../../../core/collection/demo-readings';
import { createMigratedDataSource } from '../../../helpers/db';

describe('collection - the embedded default\'s demo readings (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDataSource>>;
  let ds: DataSource;

  before(async () => {
    db = await createMigratedDataSource();
    ds = db.ds;
  });

  after(async () => {
    await db?.close();
  });

  it('writes 60 days up to yesterday (Beijing date) once, registers rising and adding up to the total', async () => {
    const now = new Date('2026-12-05T17:30:00Z'); // already 2026-12-06 in Beijing
    expect(await seedDemoReadings(ds, '3301000001', now)).to.equal(true);
    const rows = (await ds.query(`SELECT to_char(data_date, 'YYYY-MM-DD') AS day, r_total, r1, r2, r3, r4 FROM meter_daily_reading WHERE cons_no = '3301000001' ORDER BY data_date`)) as Array<Record<string, string>>;
    expect(rows).to.have.length(60);
    expect([rows[0].day, rows[59].day]).to.deep.equal(['2026-10-07', '2026-12-05']);
    const hundredths = (t: string) => Math.round(Number(t) * 100);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      expect(hundredths(r.r1) + hundredths(r.r2) + hundredths(r.r3) + hundredths(r.r4), r.day).to.equal(hundredths(r.r_total));
      if (i) expect(hundredths(r.r_total) - hundredths(rows[i - 1].r_total), r.day).to.be.within(900, 1700);
    }
    // once: a second start writes nothing, even on another day
    expect(await seedDemoReadings(ds, '3301000001', new Date('2026-12-20T00:00:00Z'))).to.equal(false);
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM meter_daily_reading`)) as Array<{ n: number }>;
    expect(n).to.equal(60);
  });
});
