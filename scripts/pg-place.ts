/**
 * The embedded default's rule for where PostgreSQL keeps data and programs
 * (core/db/postgres-place.ts), for scripts/services.sh, so the test server
 * and `npm start` decide it the same way:
 *
 *   node -r ts-node/register/transpile-only scripts/pg-place.ts where DIR    the directory postgres uses for DIR (changes nothing)
 *   node -r ts-node/register/transpile-only scripts/pg-place.ts prepare DIR  the same, made ready (OS user, base folder, link at DIR)
 *   node -r ts-node/register/transpile-only scripts/pg-place.ts bin          the bin/ of the package build postgres can run (copied if needed)
 *
 * Prints the path on stdout; a failure prints one line on stderr, exit 1.
 */
import { findEmbeddedBinaries } from '../core/db/embedded-binaries';
import { postgresRunAs } from '../core/db/postgres-os-user';
import { postgresBinariesFor, postgresPlaceOf, preparePostgresPlace } from '../core/db/postgres-place';

const say = (m: string) => process.stderr.write(`[services] postgres: ${m}\n`);

function run(command: string | undefined, dir: string | undefined): string {
  switch (command) {
    case 'where':
      if (dir) return postgresPlaceOf(dir, { runAs: postgresRunAs({ create: false }) }).dir;
      break;
    case 'prepare':
      if (dir) return preparePostgresPlace(dir, { runAs: postgresRunAs() }, say).dir;
      break;
    case 'bin':
      return postgresBinariesFor(findEmbeddedBinaries(), { runAs: postgresRunAs() }, say);
  }
  process.stderr.write('usage: pg-place.ts where DIR | prepare DIR | bin\n');
  process.exit(2);
}

try {
  process.stdout.write(`${run(process.argv[2], process.argv[3])}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
