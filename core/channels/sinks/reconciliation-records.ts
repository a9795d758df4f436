import { ingestReconciliationFile } from '../../files/reconciliation-ingest';
import { FileSink } from '../contract';

/** Collected-payment files of a back office, checked against their totals and loaded for the nightly reconciliation. */
export const RECONCILIATION_RECORDS: FileSink = {
  name: 'reconciliation-records',
  service: 'reconcile',
  input: 'file',
  description: 'reconciliation details { serial, accountNo, billMonth?, amountFen, paidAt } into reconciliation_record',
  async write(ds, layout, body, file) {
    const r = await ingestReconciliationFile(ds, layout, body, { name: file.name, size: file.size, mtime: file.mtime.getTime() });
    return `reconciliation file ${file.name}: ${r.duplicate ? 'already loaded, skipped' : `${r.records} records loaded`}`;
  },
};
