import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../core/db';
import { requireEnv } from './env';

/** A throw-away database on the test server: tests that count releases or rows start from nothing. */
export async function createFreshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = requireEnv('TEST_DATABASE_URL');
  const name = `gridbus_t_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A throw-away database with every migration applied, and a DataSource on it; `close()` destroys both. */
export async function createMigratedDataSource(): Promise<{ url: string; ds: DataSource; close(): Promise<void> }> {
  const db = await createFreshDatabase();
  const ds = createDataSource(db.url);
  await ds.initialize();
  await ds.runMigrations();
  return {
    url: db.url,
    ds,
    async close() {
      await ds.destroy().catch(() => undefined);
      await db.drop();
    },
  };
}

export async function withFreshDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const db = await createFreshDatabase();
  try {
    await fn(db.url);
  } finally {
    await db.drop();
  }
}

export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}
