// Readiness check used by scripts/services.sh: log in with the given URL and
// run one query. Exit 0 when that works, 1 otherwise (the reason on stderr).
'use strict';
const { Client } = require('pg');

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/lib/pg-ready.js postgres://user:pass@host:port/db');
  process.exit(2);
}
const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
client
  .connect()
  .then(() => client.query('select 1 as ok'))
  .then(
    (res) => client.end().then(() => process.exit(res.rows[0].ok === 1 ? 0 : 1)),
    (e) => {
      console.error(`postgres not ready: ${e.message}`);
      process.exit(1);
    },
  );
