import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './cli-error';
import { CommandLine, readConfig, stringOption } from './options';

/**
 * The mapping set a command reads: --dir, else the bus's own setting (MAPPINGS_DIR, or
 * GRIDBUS_CONFIG's), else ./mappings: publishing from another directory than the bus reads
 * would publish the wrong set. Said on stderr, so an operator sees which one was read.
 */
export function mappingsDir(line: CommandLine, args: string[]): string {
  const given = stringOption(line, 'dir');
  const dir = given !== undefined ? path.resolve(given) : readConfig(args).mappingsDir;
  const source = given !== undefined ? '--dir' : process.env.MAPPINGS_DIR ? 'MAPPINGS_DIR' : 'the configured mappings directory (default ./mappings)';
  if (!fs.existsSync(dir)) throw new CliError(`no such directory: ${dir} (from ${source})`);
  process.stderr.write(`mappings: ${dir} (from ${source})\n`);
  return dir;
}
