import { parseArgs, ParseArgsConfig } from 'util';
import type { GridbusConfig } from '../../config';
import { UsageError } from './cli-error';

/** The options a command takes, in the form of Node's `util.parseArgs`. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandLine {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Every command answers these with its help. */
export const HELP_OPTION: OptionSpec = { help: { type: 'boolean', short: 'h' } };

/** `--help` or `-h` anywhere before a `--`: the command prints its help and does nothing else. */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * The command line checked against what the command takes: an unknown option, a missing value
 * or an extra argument is a UsageError (exit 2), never silently ignored.
 */
export function parseCommandLine(args: string[], options: OptionSpec, maxPositionals = 0): CommandLine {
  let parsed: CommandLine;
  try {
    // no option is `multiple`, so no value is an array
    parsed = parseArgs({ args, options: { ...HELP_OPTION, ...options }, strict: true, allowPositionals: true }) as CommandLine;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // parseArgs' first sentence names the option ("Unknown option '--x'"); the rest is advice for JS callers
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((err as Error).message.split(/\.\s|\n/)[0]);
    throw err;
  }
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  return parsed;
}

/** A whole number option (`--last 20`), or undefined when not given. */
export function integerOption(line: CommandLine, name: string, min = 0): number | undefined {
  const raw = line.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} takes a whole number of at least ${min} (got '${String(raw)}')`);
  }
  return n;
}

/** A string option, or undefined when not given. */
export function stringOption(line: CommandLine, name: string): string | undefined {
  const raw = line.values[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** `--name value` or `--name=value` (for commands that read their options one by one). */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** The validated configuration; a bad setting ends the command with exit code 2, naming the key. */
export function readConfig(args: string[]): GridbusConfig {
  // loaded here, not at the top: help and usage errors need no configuration, and its schema takes a while to load
  const { ConfigError, loadConfig } = require('../../config') as typeof import('../../config');
  const env = { ...process.env };
  const services = option(args, 'services');
  if (services !== undefined) env.SERVICES = services;
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gridbus: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
