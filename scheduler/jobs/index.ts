import { JobKind } from '../job-kind';
import { accessRollupJob } from './access-rollup.job';
import { backupJob } from './backup.job';
import { outageImportJob } from './outage-import.job';
import { retentionJob } from './retention.job';
import { paymentsSyncJob } from './payments-sync.job';
import { reportStatusJob } from './report-status.job';
import { sleepJob } from './sleep.job';
import { withholdingJob } from './withholding.job';

/** Every job kind of the bus; a new kind is one file here and one line below. */
export const JOB_KINDS: JobKind[] = [accessRollupJob, backupJob, outageImportJob, paymentsSyncJob, reportStatusJob, retentionJob, sleepJob, withholdingJob];
