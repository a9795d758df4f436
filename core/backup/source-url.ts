import * as fs from 'fs';
import * as path from 'path';
import type { GridbusConfig } from '../../config';

/** The database a backup reads: DATABASE_URL, or the running embedded PostgreSQL of VAR_DIR (its generated password beside its data). */
export function sourceDatabaseUrl(config: GridbusConfig): string {
  if (config.database.url) return config.database.url;
  const file = path.join(`${config.database.embeddedDir}.credentials`, 'password');
  let password: string;
  try {
    password = fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(`no DATABASE_URL and no embedded database password in ${file}: set DATABASE_URL, or start the bus once (gridbus start)`);
  }
  return `postgres://gridbus:${encodeURIComponent(password)}@127.0.0.1:${config.database.embeddedPort}/gridbus`;
}
