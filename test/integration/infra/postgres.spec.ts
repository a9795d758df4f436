// Proves that the test database (scripts/services.sh, TEST_DATABASE_URL) is a
// real PostgreSQL server: its version, and a temporary table round trip.
import { expect } from 'chai';
import { Client } from 'pg';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`scripts/services.sh up\` and \`source var/services/env.sh\` (npm test does both)`,
    );
  }
  return value;
}

describe('infra - postgres', function () {
  this.timeout(20_000);

  let client: Client | undefined;
  let url: URL;

  before(async function () {
    const connectionString = requireEnv('TEST_DATABASE_URL');
    url = new URL(connectionString);
    client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
    await client.connect();
  });

  after(async function () {
    await client?.end();
  });

  it('reports a PostgreSQL server version and the configured database', async function () {
    const { rows } = await client!.query('select version() as version, current_database() as db, current_user as who');
    expect(rows[0].version).to.contain('PostgreSQL');
    expect(rows[0].db).to.equal(decodeURIComponent(url.pathname.slice(1)));
    expect(rows[0].who).to.equal(decodeURIComponent(url.username));
  });

  it('creates a temporary table, inserts rows and reads them back', async function () {
    await client!.query('create temporary table infra_check (id serial primary key, name text not null, payload jsonb)');
    const input = [
      { name: 'meter-1', payload: { kwh: 12.5 } },
      { name: '电表-2', payload: { kwh: 0, tags: ['a', 'b'] } },
    ];
    for (const row of input) {
      await client!.query('insert into infra_check (name, payload) values ($1, $2)', [row.name, row.payload]);
    }
    const { rows } = await client!.query('select id, name, payload from infra_check order by id');
    expect(rows.map((r) => ({ name: r.name, payload: r.payload }))).to.deep.equal(input);
    expect(rows.map((r) => r.id)).to.deep.equal([1, 2]);
  });
});
