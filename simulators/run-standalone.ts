import type { SoapSimulator } from './soap-host';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/**
 * Runs a SOAP simulator as its own process. Env: PORT (default `defaultPort`,
 * 0 = any free port), HOST (default 127.0.0.1), SLOW_DELAY_MS (default 3000).
 * Stops on SIGINT/SIGTERM.
 */
export function runStandalone(
  name: string,
  defaultPort: number,
  start: (opts: { host: string; port: number; slowDelayMs: number }) => Promise<SoapSimulator>,
): void {
  (async () => {
    const sim = await start({
      host: process.env.HOST || '127.0.0.1',
      port: intFromEnv('PORT', defaultPort),
      slowDelayMs: intFromEnv('SLOW_DELAY_MS', 3000),
    });
    console.log(`${name} WSDL: ${sim.wsdlUrl}`);
    const stop = (signal: string) => {
      console.log(`${name}: ${signal}, stopping`);
      sim.close().then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  })().catch((err) => {
    console.error(`${name} failed to start:`, err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
