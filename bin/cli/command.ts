import { CommandLine, OptionSpec } from './options';

/** One `gridbus ...` command: its help, the options it takes, and what it does. */
export interface CliCommand {
  /** The words after `gridbus`, e.g. `mappings validate`. */
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The whole help, printed for `--help`/`-h` and with a usage error. */
  usage: string;
  options: OptionSpec;
  /** How many arguments that are not options it takes (default none). */
  maxPositionals?: number;
  /** Runs the command; a number is the process's exit code. */
  run(line: CommandLine, args: string[]): Promise<number | void>;
}

/** A command's output: text lines, or with --json only the answer as one JSON document on stdout. */
export function printer(line: CommandLine) {
  const asJson = line.values.json === true;
  return {
    text: (s: string) => {
      if (!asJson) process.stdout.write(`${s}\n`);
    },
    done: (answer: unknown) => {
      if (asJson) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    },
  };
}

/** The options every admin-API command takes: --json and --url. */
export const ADMIN_OPTIONS = { json: { type: 'boolean' }, url: { type: 'string' } } as const satisfies OptionSpec;

/** The usage text of a `gridbus <group> …` admin-API command, its common options last. */
export const adminUsage =
  (group: string) =>
  (synopsis: string, text: string, options = ''): string =>
    `Usage: gridbus ${group} ${synopsis}\n\n${text}\n\n${options}  --url URL          the bus (default GRIDBUS_URL, else the bus of the last gridbus login)\n  --json             print only the answer, as JSON\n  -h, --help         this help`;
