import { Client } from 'pg';

interface Column {
  column_name: string;
  udt_name: string;
  data_type: string;
  character_maximum_length: number | null;
  column_default: string | null;
  is_identity: string;
  is_generated: string;
}

/**
 * Inserts one row into every table of the current schema that has none, by looking at the columns:
 * a value of each column's type (text with a tab, newline and backslash, so COPY escaping is tested),
 * the parent's value for a foreign key, the first literal of a CHECK that names the column.
 * `overrides` gives a value for columns whose CHECK a generic value cannot pass.
 * Returns the tables it could not fill, with the reason.
 */
export async function fillEveryTable(client: Client, order: string[], overrides: Record<string, Record<string, unknown>> = {}): Promise<Record<string, string>> {
  const failed: Record<string, string> = {};
  for (const table of order) {
    if (table === 'schema_migrations') continue;
    const has = (await client.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n as number;
    if (has > 0) continue;
    const columns = (
      await client.query<Column>(
        `SELECT column_name, udt_name, data_type, character_maximum_length, column_default, is_identity, is_generated
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      )
    ).rows;
    const fks = (
      await client.query<{ col: string; parent: string; pcol: string }>(
        `SELECT a.attname AS col, p.relname AS parent, pa.attname AS pcol FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
           JOIN LATERAL unnest(k.conkey, k.confkey) AS u(ck, pk) ON true
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.ck
           JOIN pg_attribute pa ON pa.attrelid = p.oid AND pa.attnum = u.pk
          WHERE k.contype = 'f' AND c.relname = $1 AND c.relnamespace = to_regnamespace(current_schema())`,
        [table],
      )
    ).rows;
    const checks = (
      await client.query<{ def: string }>(
        `SELECT pg_get_constraintdef(k.oid) AS def FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          WHERE k.contype = 'c' AND c.relname = $1 AND c.relnamespace = to_regnamespace(current_schema())`,
        [table],
      )
    ).rows.map((r) => r.def);
    const names: string[] = [];
    const values: unknown[] = [];
    const exprs: string[] = [];
    for (const c of columns) {
      if (c.is_generated !== 'NEVER' || c.is_identity === 'YES' || c.column_default?.startsWith('nextval(')) continue;
      const fk = fks.find((f) => f.col === c.column_name);
      names.push(`"${c.column_name}"`);
      const given = overrides[table]?.[c.column_name];
      if (given !== undefined) {
        values.push(given);
        exprs.push(`$${values.length}`);
        continue;
      }
      if (fk) {
        exprs.push(`(SELECT "${fk.pcol}" FROM "${fk.parent}" LIMIT 1)`);
        continue;
      }
      const check = checks.find((d) => d.includes(c.column_name) && /'([^']*)'/.test(d));
      const literal = check ? /'([^']*)'/.exec(check)![1] : undefined;
      const [expr, value] = valueFor(c, literal);
      if (value === undefined) exprs.push(expr);
      else {
        values.push(value);
        exprs.push(`$${values.length}${expr}`);
      }
    }
    try {
      await client.query(`INSERT INTO "${table}" (${names.join(', ')}) VALUES (${exprs.join(', ')})`, values);
    } catch (err) {
      failed[table] = (err as Error).message;
    }
  }
  return failed;
}

/** [SQL suffix (a cast) or a whole expression, parameter value or undefined]. */
function valueFor(c: Column, literal: string | undefined): [string, unknown] {
  const text = (s: string) => (c.character_maximum_length ? s.slice(0, c.character_maximum_length) : s);
  switch (c.udt_name) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
      return ['', 1];
    case 'bool':
      return ['', true];
    case 'timestamptz':
    case 'timestamp':
      return ['::timestamptz', '2026-12-04T10:11:12.345Z'];
    case 'date':
      return ['::date', '2026-12-04'];
    case 'json':
    case 'jsonb':
      return [`::${c.udt_name}`, JSON.stringify({ k: 'v\nw', n: 1 })];
    case 'bytea':
      return ['', Buffer.from([0, 10, 92, 255])];
    case 'uuid':
      return ['gen_random_uuid()', undefined];
    case 'inet':
      return ['::inet', '127.0.0.1'];
    case '_text':
    case '_varchar':
      return ['', ['a', 'b c']];
    default:
      if (c.data_type === 'USER-DEFINED') return [`(SELECT min(enumlabel)::text::"${c.udt_name}" FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = '${c.udt_name}')`, undefined];
      return ['', literal ?? text('t\tx\ny\\z')];
  }
}
