import { expect } from 'chai';
import { seedDemoCatalogue } from '../../../../core/power/demo-catalogue';
import { createMigratedDataSource } from '../../../helpers/db';

describe('power - the embedded default\'s starter points catalogue (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDataSource>>;

  before(async () => {
    db = await createMigratedDataSource();
  });

  after(async () => {
    await db?.close();
  });

  it('the migrations leave the catalogue empty (a restore loads its rows), the seed writes three items once, never over an operator\'s catalogue', async () => {
    const items = async () => ((await db.ds.query(`SELECT item_id FROM points_catalogue ORDER BY item_id`)) as Array<{ item_id: string }>).map((r) => r.item_id);
    expect(await items()).to.deep.equal([]);
    expect(await seedDemoCatalogue(db.ds)).to.equal(true);
    expect(await items()).to.deep.equal(['bill-credit-5', 'led-bulb', 'socket-timer']);
    await db.ds.query(`DELETE FROM points_catalogue WHERE item_id <> 'led-bulb'`);
    expect(await seedDemoCatalogue(db.ds)).to.equal(false);
    expect(await items()).to.deep.equal(['led-bulb']);
  });
});
