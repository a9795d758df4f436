import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Arbitrary but fixed: serialises migrations when several nodes start at once. */
const MIGRATION_LOCK_ID = 727_001;

export function createDataSource(url: string, options: { applicationName?: string; poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName ?? 'gridbus',
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
}

/**
 * Connects and applies pending migrations under a PostgreSQL advisory lock,
 * so that gateway and service nodes starting together do not race.
 * Returns the names of the migrations applied by this call.
 */
export async function openDatabase(url: string, options: { applicationName?: string } = {}): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(url, options);
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { dataSource, applied: applied.map((m) => m.name) };
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}
