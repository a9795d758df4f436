import { openDatabase } from '../../core/db';
import { readConfig } from './options';

/** `gridbus migrate`: applies the migrations to DATABASE_URL and exits. */
export async function migrateCommand(args: string[]): Promise<void> {
  const config = readConfig(args);
  if (!config.database.url) throw new Error('migrate needs DATABASE_URL (the embedded database migrates itself at start)');
  const { dataSource, applied } = await openDatabase(config.database.url);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  await dataSource.destroy();
}
