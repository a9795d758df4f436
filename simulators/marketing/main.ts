/**
 * Standalone marketing simulator: node dist/simulators/marketing/main.js
 * Env: PORT (default 8089, 0 = any free port), HOST (default 127.0.0.1),
 * SLOW_DELAY_MS (default 3000).
 */
import { startMarketingSimulator } from './server';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const sim = await startMarketingSimulator({
    host: process.env.HOST || '127.0.0.1',
    port: intFromEnv('PORT', 8089),
    slowDelayMs: intFromEnv('SLOW_DELAY_MS', 3000),
  });
  console.log(`marketing simulator WSDL: ${sim.wsdlUrl}`);

  const stop = (signal: string) => {
    console.log(`marketing simulator: ${signal}, stopping`);
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
  console.error('marketing simulator failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
