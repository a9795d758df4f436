#!/usr/bin/env node
import 'reflect-metadata';
import { mappingsCommand } from './cli/mappings-command';
import { migrateCommand } from './cli/migrate-command';
import { option, readConfig } from './cli/options';
import { startCommand } from './cli/start-command';
import { tokenCommand } from './cli/token-command';

const USAGE = `Usage: gridbus [command] [options]

Commands:
  start                 start the bus (default). Options: --services gateway,billing,...
  token [--sub ID] [--roles admin,operator] [--ttl S]
                        print a demo user token, or with --roles an operator token, signed with the local key
  migrate               apply database migrations to DATABASE_URL and exit
  mappings <command>    validate | diff | dry-run | publish | rollback | releases (gridbus mappings help)

Configuration comes from the environment (and GRIDBUS_CONFIG, a JSON/YAML file);
see config/schema.ts and docs/configuration.md.`;

async function main(): Promise<void> {
  const [command = 'start', ...args] = process.argv.slice(2);
  switch (command) {
    case 'start':
      return startCommand(args);
    case 'token':
      return tokenCommand(args);
    case 'migrate':
      return migrateCommand(args);
    case 'mappings': {
      const config = readConfig([]);
      process.exitCode = await mappingsCommand(args, config, (name) => option(args, name));
      return;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`gridbus: unknown command '${command}'\n${USAGE}\n`);
      process.exit(2);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`gridbus: ${err.message}\n`);
  process.exit(1);
});
