/** Standalone marketing simulator: node dist/simulators/marketing/main.js (PORT default 8089; see run-standalone.ts). */
import { runStandalone } from '../run-standalone';
import { startMarketingSimulator } from './server';

runStandalone('marketing simulator', 8089, startMarketingSimulator);
