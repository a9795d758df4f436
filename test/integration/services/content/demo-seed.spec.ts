import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { ContentStore } from '../../../../core/content/content-store';
import { seedDemoContent } from '../../../../core/content/demo-seed';
import { OutageStore } from '../../../../core/content/outage-store';
import { OutletStore } from '../../../../core/content/outlet-store';
import { createMigratedDataSource } from '../../../helpers/db';

/** The embedded default's first start shows a new user something; a database with content is never touched. */
describe('content demo seed - what a new user of the embedded default sees', function () {
  this.timeout(30000);
  let db: Awaited<ReturnType<typeof createMigratedDataSource>>;
  let ds: DataSource;

  before(async () => {
    db = await createMigratedDataSource();
    ds = db.ds;
  });

  after(async () => {
    await db?.close();
  });

  it('content demo seed - published news, FAQ and guides, searchable in Chinese; outlets in Hangzhou; one planned outage tomorrow', async () => {
    expect(await seedDemoContent(ds)).to.equal(true);
    const articles = new ContentStore(ds);
    const { items, total } = await articles.listPublished({ page: 1, pageSize: 50 });
    expect(total).to.equal(7);
    expect([...new Set(items.map((i) => i.category))]).to.include.members(['NEWS', 'FAQ', 'KNOWLEDGE', 'GUIDE', 'POLICY', 'APP_LINK']);
    const found = await articles.search({ q: '停电', limit: 10 });
    expect(found[0].title).to.equal('停电了怎么办？');
    const near = await new OutletStore(ds).near({ lat: 30.2741, lng: 120.1551, radiusKm: 10, limit: 10 });
    expect(near).to.have.length(3);
    const outages = await new OutageStore(ds).find({ area: '3301', from: new Date(), to: new Date(Date.now() + 3 * 86_400_000), now: new Date() });
    expect(outages.map((o) => [o.bulletinId, o.phase])).to.deep.equal([['DEMO-0001', 'UPCOMING']]);
  });

  it('content demo seed - a second start (or a database an editor filled) writes nothing', async () => {
    expect(await seedDemoContent(ds)).to.equal(false);
    const [row] = await ds.query('SELECT count(*)::int AS n FROM content_item');
    expect(row.n).to.equal(7);
  });
});
