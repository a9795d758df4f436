import { ConfigError, GridbusConfig, loadConfig } from '../../config';

/** `--name value` or `--name=value`. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** The validated configuration; a bad setting ends the command with exit code 2, naming the key. */
export function readConfig(args: string[]): GridbusConfig {
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
