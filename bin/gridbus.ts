#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError, GridbusConfig, loadConfig } from '../config';
import { signAccessToken, signOperatorToken } from '../core/auth';
import { openDatabase } from '../core/db';
import { HOUSEHOLDS } from '../simulators/marketing/dataset';
import { startBus } from './bootstrap';
import { mappingsCommand } from './cli/mappings-command';

const USAGE = `Usage: gridbus [command] [options]

Commands:
  start                 start the bus (default). Options: --services gateway,billing,...
  token [--sub ID] [--roles admin,operator] [--ttl S]
                        print a demo user token, or with --roles an operator token, signed with the local key
  migrate               apply database migrations to DATABASE_URL and exit
  mappings <command>    validate | diff | dry-run | publish | rollback | releases (gridbus mappings help)

Configuration comes from the environment (and GRIDBUS_CONFIG, a JSON/YAML file);
see config/schema.ts and docs/configuration.md.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function readConfig(args: string[]): GridbusConfig {
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

async function start(args: string[]): Promise<void> {
  const config = readConfig(args);
  const bus = await startBus(config);
  const log = bus.broker.getLogger('gridbus');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log.info(`${signal} received: stopping (in-flight requests finish first)`);
    await bus.stop();
    process.stdout.write('gridbus stopped cleanly\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log.info(`node ${config.nodeId} running: ${bus.services.join(', ')}${config.natsUrl ? ` over ${config.natsUrl}` : ' (single process, no transporter)'}`);
  if (config.usingDevSecret) log.warn('JWT_SECRET is not set: using the development secret. Never do this outside a laptop.');
  if (bus.gatewayUrl) {
    const demo = HOUSEHOLDS[0].ConsNo;
    log.info(`gateway: ${bus.gatewayUrl}   health: ${bus.gatewayUrl}/health   metrics: ${bus.gatewayUrl}/metrics`);
    log.info(`demo token: TOKEN=$(npm run -s token)   then: curl -H "Authorization: Bearer $TOKEN" ${bus.gatewayUrl}/api/v1/accounts/${demo}/arrears`);
  }
}

async function main(): Promise<void> {
  const [command = 'start', ...args] = process.argv.slice(2);
  switch (command) {
    case 'start':
      return start(args);
    case 'token': {
      const config = readConfig(args);
      const ttl = Number(option(args, 'ttl') ?? 3600);
      const roles = option(args, 'roles');
      const token = roles
        ? signOperatorToken(config.auth, { sub: option(args, 'sub') ?? 'demo-operator', roles: roles.split(',') }, ttl)
        : signAccessToken(config.auth, { sub: option(args, 'sub') ?? 'demo-user' }, ttl);
      process.stdout.write(`${token}\n`);
      return;
    }
    case 'migrate': {
      const config = readConfig(args);
      if (!config.database.url) throw new Error('migrate needs DATABASE_URL (the embedded database migrates itself at start)');
      const { dataSource, applied } = await openDatabase(config.database.url);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      await dataSource.destroy();
      return;
    }
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
