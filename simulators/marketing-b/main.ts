/** Standalone simulator B ("YX"): node dist/simulators/marketing-b/main.js (PORT default 8090; see run-standalone.ts). */
import { runStandalone } from '../run-standalone';
import { startMarketingBSimulator } from './server';

runStandalone('marketing simulator B (YX)', 8090, startMarketingBSimulator);
