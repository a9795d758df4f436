/**
 * Standalone simulator B ("YX"): node dist/simulators/marketing-b/main.js (PORT default 8090; see run-standalone.ts).
 * WRITE_OFF_DELAY_MS (default 0) makes charges answer late after applying; POST /sim/write-off-delay changes it live.
 */
import { runStandalone } from '../run-standalone';
import { startMarketingBSimulator } from './server';

runStandalone('marketing simulator B (YX)', 8090, (o) => startMarketingBSimulator({ ...o, writeOffDelayMs: Number(process.env.WRITE_OFF_DELAY_MS || 0) }));
