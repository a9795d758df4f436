/**
 * Standalone simulator B ("YX"): node dist/simulators/marketing-b/main.js
 * Env: PORT (default 8090, 0 = any free port), HOST (default 127.0.0.1),
 * SLOW_DELAY_MS (default 3000).
 */
import { startMarketingBSimulator } from './server';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const sim = await startMarketingBSimulator({
    host: process.env.HOST || '127.0.0.1',
    port: intFromEnv('PORT', 8090),
    slowDelayMs: intFromEnv('SLOW_DELAY_MS', 3000),
  });
  console.log(`marketing simulator B (YX) WSDL: ${sim.wsdlUrl}`);

  const stop = (signal: string) => {
    console.log(`marketing simulator B: ${signal}, stopping`);
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
}

main().catch((err) => {
  console.error('marketing simulator B failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
