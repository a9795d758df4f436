#!/usr/bin/env node
import 'reflect-metadata';
import { maskUrlSecrets } from '../core/crypto/mask-url';
import { quietOnBrokenPipe } from './cli/broken-pipe';
import { CliError, UsageError } from './cli/cli-error';
import { BACKUP_COMMANDS, BACKUP_USAGE } from './cli/backup-command';
import { CliCommand } from './cli/command';
import { loginCommand } from './cli/login-command';
import { logoutCommand } from './cli/logout-command';
import { JOBS_COMMANDS, JOBS_USAGE } from './cli/jobs-command';
import { MAPPINGS_COMMANDS, MAPPINGS_USAGE } from './cli/mappings-command';
import { OUTBOX_COMMANDS, OUTBOX_USAGE } from './cli/outbox-command';
import { PAYMENTS_COMMANDS, PAYMENTS_USAGE } from './cli/payments-command';
import { parseCommandLine, wantsHelp } from './cli/options';
import { sessionCommand } from './cli/session-command';

// start and token keep their own files; their help and options are checked here, before they run.
// Commands load what they need when they run, so help and usage errors answer at once.
const start: CliCommand = {
  name: 'start',
  summary: 'start the bus in the foreground (the default command)',
  usage: `Usage: gridbus start [--services LIST]

Starts the bus until Ctrl-C (SIGINT) or SIGTERM. With nothing configured: one process, the
embedded PostgreSQL under VAR_DIR (./var) and the back-office simulators.

  --services LIST   the services this node runs, such as gateway,billing (same as SERVICES; default all)
  -h, --help        this help

Configuration comes from the environment (and GRIDBUS_CONFIG, a JSON/YAML file): docs/configuration.md.`,
  options: { services: { type: 'string' } },
  run: async (_line, args) => (await import('./cli/start-command')).startCommand(args),
};

const token: CliCommand = {
  name: 'token',
  summary: "print a demo user token signed with this machine's bus key",
  usage: `Usage: gridbus token [--sub ID] [--ttl SECONDS]

Prints a life-number user token signed with the key of the bus configured here (JWT_SECRET /
JWT_KEYS, or for the embedded default the ring it generated under VAR_DIR). Operator tokens
come only from logging in: gridbus login.

  --sub ID          the user id (default demo-user)
  --ttl SECONDS     lifetime, 1-86400 (default 3600)
  -h, --help        this help`,
  options: { sub: { type: 'string' }, ttl: { type: 'string' } },
  run: async (_line, args) => (await import('./cli/token-command')).tokenCommand(args),
};

const migrate: CliCommand = {
  name: 'migrate',
  summary: 'apply the database migrations to DATABASE_URL and exit',
  usage: `Usage: gridbus migrate

Applies the database migrations to DATABASE_URL and exits (the embedded database migrates itself
at start).

  -h, --help    this help`,
  options: {},
  run: async (_line, args) => (await import('./cli/migrate-command')).migrateCommand(args),
};

const COMMANDS: CliCommand[] = [start, token, migrate, loginCommand, logoutCommand, sessionCommand];
const GROUPS: Record<string, { summary: string; usage: string; commands: CliCommand[] }> = {
  mappings: { summary: 'validate | diff | dry-run | publish | rollback | releases', usage: MAPPINGS_USAGE, commands: MAPPINGS_COMMANDS },
  jobs: { summary: 'list | history | run | pause | resume | set (scheduled jobs)', usage: JOBS_USAGE, commands: JOBS_COMMANDS },
  outbox: { summary: 'backlog | dead | replay | discard', usage: OUTBOX_USAGE, commands: OUTBOX_COMMANDS },
  payments: { summary: 'list | show | refund (payment orders)', usage: PAYMENTS_USAGE, commands: PAYMENTS_COMMANDS },
  backup: { summary: 'run | restore (encrypted database archive)', usage: BACKUP_USAGE, commands: BACKUP_COMMANDS },
};

const USAGE = `Usage: gridbus [command] [options]

Commands:
${[...COMMANDS.map((c) => [c.name, c.summary]), ...Object.entries(GROUPS).map(([name, g]) => [`${name} <command>`, g.summary])]
  .map(([name, summary]) => `  ${name.padEnd(20)}${summary}`)
  .join('\n')}

gridbus <command> --help shows a command's help. Configuration of the bus comes from the
environment (and GRIDBUS_CONFIG, a JSON/YAML file): docs/configuration.md; the CLI: docs/cli.md.`;

/** The usage printed with a usage error: that of the command being run. */
let currentUsage = USAGE;

async function runCommand(command: CliCommand, args: string[]): Promise<number | void> {
  currentUsage = command.usage;
  if (wantsHelp(args)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const line = parseCommandLine(args, command.options, command.maxPositionals);
  return command.run(line, args);
}

/** `gridbus` alone, or with options only, starts the bus. */
const startsTheBus = (first: string | undefined) => first === undefined || first === 'start' || (first.startsWith('-') && !wantsHelp([first]));

async function dispatch(argv: string[]): Promise<number | void> {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'start' || startsTheBus(first)) return runCommand(start, first === 'start' ? rest : argv);
  if (wantsHelp([first]) || (first === 'help' && !rest.length)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (first === 'help') return dispatch([...rest, '--help']);
  const group = GROUPS[first];
  if (group) {
    currentUsage = group.usage;
    const [sub, ...args] = rest;
    if (sub === undefined || sub === 'help' || wantsHelp([sub])) {
      process.stdout.write(`${group.usage}\n`);
      return 0;
    }
    const command = group.commands.find((c) => c.name === `${first} ${sub}`);
    if (!command) throw new UsageError(`unknown command '${first} ${sub}'`);
    return runCommand(command, args);
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) throw new UsageError(`unknown command '${first}'`);
  return runCommand(command, rest);
}

async function main(argv: string[]): Promise<void> {
  quietOnBrokenPipe(startsTheBus(argv[0]) ? 'keep-running' : 'exit');
  try {
    const code = await dispatch(argv);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`gridbus: ${err.message}\n\n${currentUsage}\n`);
      process.exitCode = err.exitCode;
    } else if ((err as { code?: unknown }).code === 'CONFIG_INVALID') {
      // a setting the bus cannot run with (such as no JWT keys outside the embedded default): exit 2 like every configuration error
      process.stderr.write(`gridbus: ${(err as Error).message}\n`);
      process.exit(2);
    } else if (err instanceof CliError) {
      process.stderr.write(`gridbus: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      // a failed start may name a URL of the configuration: no credentials on the terminal
      process.stderr.write(`gridbus: ${maskUrlSecrets(String((err as Error).message))}\n`);
      process.exit(1);
    }
  }
}

void main(process.argv.slice(2));
