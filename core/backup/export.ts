import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BackupManifest, manifestFor, TableData } from './archive';
import { listTables, quoteIdent, TableInfo } from './schema-tables';

export type Progress = (line: string) => void;

/** One table's rows as COPY text, in a stable order (by the row's text, C collation) so that equal tables give equal bytes. */
export async function copyTableOut(client: Client, table: TableInfo): Promise<Buffer> {
  const cols = table.columns.map(quoteIdent).join(', ');
  const sql = `COPY (SELECT ${cols} FROM ${quoteIdent(table.name)} t ORDER BY t::text COLLATE "C") TO STDOUT`;
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(sql));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every table of the database's schema, read in one REPEATABLE READ snapshot. */
export async function exportDatabase(url: string, progress: Progress = () => undefined): Promise<{ manifest: BackupManifest; tables: TableData[] }> {
  const client = new Client({ connectionString: url, application_name: 'gridbus-backup' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const infos = await listTables(client);
    if (!infos.some((t) => t.name === 'schema_migrations')) throw new Error('the database has no schema_migrations table: not a gridbus database (run gridbus migrate)');
    const migrations = (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id')).rows.map((r) => r.name);
    const tables: TableData[] = [];
    for (const info of infos) {
      const data = await copyTableOut(client, info);
      tables.push({ name: info.name, columns: info.columns, data });
      progress(`exported ${info.name}: ${data.length} bytes`);
    }
    await client.query('COMMIT');
    return { manifest: manifestFor(tables, migrations), tables };
  } finally {
    await client.end();
  }
}
