import { FileSink } from '../channels/contract';
import { ingestOutageFile } from './outage-ingest';

/** Outage bulletin files of the data center's drop, into outage_bulletin (the content service's nodes run the channel). */
export const OUTAGE_BULLETINS: FileSink = {
  name: 'outage-bulletins',
  service: 'content',
  input: 'file',
  description: 'outage bulletins { bulletinId, areaCode, areaName, startsAt, endsAt, kind, reason?, scope?, issuedAt } into outage_bulletin',
  async write(ds, layout, body, file) {
    const r = await ingestOutageFile(ds, layout, body, file.name);
    return `outage file ${file.name}: ${r.records} bulletins read, ${r.inserted} new, ${r.replaced} replaced, ${r.unchanged} unchanged`;
  },
};
