/**
 * Standalone marketing simulator: node dist/simulators/marketing/main.js (PORT default 8089; see run-standalone.ts).
 * WRITE_OFF_DELAY_MS (default 0) makes write-offs answer late after applying; POST /sim/write-off-delay changes it live.
 */
import { runStandalone } from '../run-standalone';
import { startMarketingSimulator } from './server';

runStandalone('marketing simulator', 8089, (o) => startMarketingSimulator({ ...o, writeOffDelayMs: Number(process.env.WRITE_OFF_DELAY_MS || 0) }));
