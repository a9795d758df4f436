import { GridbusError } from '../../core/errors';
import type { MultipartForm } from '../../core/uploads/multipart';
import { REPORT_KINDS, ReportKind } from '../../core/power/report-store';

/** The text of a report: what marketing.createTicket takes (1..500 characters). */
export const CONTENT_MAX = 500;
const FIELDS = new Set(['kind', 'content', 'accountNo', 'contactMobile', 'lat', 'lng']);
const PHOTO_FIELD = 'photos';

export interface ReportForm {
  kind: ReportKind;
  content: string;
  accountNo: string | null;
  contactMobile: string | null;
  location: { lat: number; lng: number } | null;
}

type Problem = { field: string; type: string; message: string };

/** The report's fields, checked; every problem at once as VALIDATION_FAILED (the values sent are never echoed). */
export function readReportForm(form: MultipartForm): ReportForm {
  const problems: Problem[] = [];
  const f = form.fields;
  for (const name of Object.keys(f)) if (!FIELDS.has(name)) problems.push({ field: name.slice(0, 40), type: 'unknown', message: `${name.slice(0, 40)} is not a field of a report` });
  for (const file of form.files) if (file.field !== PHOTO_FIELD) problems.push({ field: file.field.slice(0, 40), type: 'unknown', message: `photos are sent as the field "${PHOTO_FIELD}"` });
  const kind = f.kind as ReportKind;
  if (!REPORT_KINDS.includes(kind)) problems.push({ field: 'kind', type: 'enum', message: `kind must be one of ${REPORT_KINDS.join(', ')}` });
  const content = (f.content ?? '').trim();
  if (!content || [...content].length > CONTENT_MAX) problems.push({ field: 'content', type: 'length', message: `content must be 1 to ${CONTENT_MAX} characters` });
  const accountNo = f.accountNo?.trim() || null;
  if (accountNo !== null && !/^[0-9]{10}$/.test(accountNo)) problems.push({ field: 'accountNo', type: 'pattern', message: 'accountNo must be 10 digits' });
  const contactMobile = f.contactMobile?.trim() || null;
  if (contactMobile !== null && !/^1[0-9]{10}$/.test(contactMobile)) problems.push({ field: 'contactMobile', type: 'pattern', message: 'contactMobile must be an 11-digit mobile number' });
  let location: ReportForm['location'] = null;
  if (f.lat !== undefined || f.lng !== undefined) {
    const lat = Number(f.lat);
    const lng = Number(f.lng);
    if (f.lat === undefined || f.lng === undefined || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      problems.push({ field: 'lat', type: 'range', message: 'lat and lng go together: latitude -90..90 and longitude -180..180 in decimal degrees' });
    } else {
      location = { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
    }
  }
  if (problems.length) throw new GridbusError('VALIDATION_FAILED', `The report is not valid: ${problems.map((p) => p.message).join('; ')}`, { details: { problems } });
  return { kind, content, accountNo, contactMobile, location };
}
