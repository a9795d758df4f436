import type { SqlRunner } from '../outbox/outbox-writer';

export type ReportKind = 'ILLEGAL_USE' | 'FEEDBACK' | 'COMPLAINT';
export const REPORT_KINDS: readonly ReportKind[] = ['ILLEGAL_USE', 'FEEDBACK', 'COMPLAINT'];
/** SUBMITTED: stored, its ticket on the way; ACCEPTED / IN_PROGRESS / CLOSED: the marketing system's ticket; REFUSED: the ticket could not be created. */
export type ReportStatus = 'SUBMITTED' | 'ACCEPTED' | 'IN_PROGRESS' | 'CLOSED' | 'REFUSED';
/** Statuses the report-status job still asks the marketing system about. */
export const OPEN_STATUSES: readonly ReportStatus[] = ['ACCEPTED', 'IN_PROGRESS'];

/** The ticket serial of a report: stable, so a redelivered ticket is the same ticket. */
export const reportSerial = (id: string) => `RPT${id.padStart(10, '0')}`;

export interface ReportRow {
  id: string;
  serial: string;
  userId: string;
  kind: ReportKind;
  contentEnc: string;
  accountNo: string | null;
  contactMobileEnc: string | null;
  location: { lat: number; lng: number; source: 'USER' | 'PHOTO' } | null;
  status: ReportStatus;
  ticketNo: string | null;
  reply: string | null;
  createdAt: string;
  updatedAt: string;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

type Raw = {
  id: string;
  serial: string;
  user_id: string;
  kind: ReportKind;
  content_enc: string;
  account_no: string | null;
  contact_mobile_enc: string | null;
  lat: string | null;
  lng: string | null;
  location_source: 'USER' | 'PHOTO' | null;
  status: ReportStatus;
  ticket_no: string | null;
  reply: string | null;
  created_at: Date;
  updated_at: Date;
};

const toRow = (r: Raw): ReportRow => ({
  id: String(r.id),
  serial: r.serial,
  userId: r.user_id,
  kind: r.kind,
  contentEnc: r.content_enc,
  accountNo: r.account_no,
  contactMobileEnc: r.contact_mobile_enc,
  location: r.lat !== null && r.lng !== null ? { lat: Number(r.lat), lng: Number(r.lng), source: r.location_source! } : null,
  status: r.status,
  ticketNo: r.ticket_no,
  reply: r.reply,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export interface NewReport {
  userId: string;
  kind: ReportKind;
  contentEnc: string;
  accountNo: string | null;
  contactMobileEnc: string | null;
  location: { lat: number; lng: number; source: 'USER' | 'PHOTO' } | null;
  photos: Array<{ path: string; mediaType: string; bytes: number; sha256: string }>;
}

/** Inserts a report, its photos and its first timeline entry on the caller's transaction. */
export async function insertReport(tx: SqlRunner, r: NewReport): Promise<ReportRow> {
  const [{ id }] = rowsOf<{ id: string }>(await tx.query(`SELECT nextval('power_reports_id_seq') AS id`));
  const [raw] = rowsOf<Raw>(
    await tx.query(
      `INSERT INTO power_reports (id, serial, user_id, kind, content_enc, account_no, contact_mobile_enc, lat, lng, location_source, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'SUBMITTED') RETURNING *`,
      [id, reportSerial(String(id)), r.userId, r.kind, r.contentEnc, r.accountNo, r.contactMobileEnc, r.location?.lat ?? null, r.location?.lng ?? null, r.location?.source ?? null],
    ),
  );
  for (const [seq, p] of r.photos.entries()) {
    await tx.query(`INSERT INTO power_report_photos (report_id, seq, path, media_type, bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6)`, [id, seq + 1, p.path, p.mediaType, p.bytes, p.sha256]);
  }
  await tx.query(`INSERT INTO power_report_events (report_id, status, source) VALUES ($1, 'SUBMITTED', 'user')`, [id]);
  return toRow(raw);
}

/** How far a ticket has got: a status answer that would move a report back (an older answer read late) is not recorded. */
export const STATUS_ORDER: Record<ReportStatus, number> = { SUBMITTED: 0, REFUSED: 1, ACCEPTED: 1, IN_PROGRESS: 2, CLOSED: 3 };

/** Moves a report to a status (and reply / ticket number) with a timeline entry; false when nothing changed. */
export async function recordReportStatus(
  tx: SqlRunner,
  report: { id: string; status: ReportStatus; reply: string | null; ticketNo: string | null },
  next: { status: ReportStatus; reply?: string | null; ticketNo?: string | null },
  source: string,
): Promise<boolean> {
  const reply = next.reply === undefined ? report.reply : next.reply;
  const ticketNo = next.ticketNo ?? report.ticketNo;
  if (STATUS_ORDER[next.status] < STATUS_ORDER[report.status]) return false;
  if (next.status === report.status && reply === report.reply && ticketNo === report.ticketNo) return false;
  await tx.query(`UPDATE power_reports SET status = $2, reply = $3, ticket_no = $4, updated_at = now() WHERE id = $1`, [report.id, next.status, reply, ticketNo]);
  await tx.query(`INSERT INTO power_report_events (report_id, status, reply, source) VALUES ($1, $2, $3, $4)`, [report.id, next.status, reply, source]);
  return true;
}

export async function lockReportBySerial(tx: SqlRunner, serial: string): Promise<ReportRow | null> {
  const [raw] = rowsOf<Raw>(await tx.query(`SELECT * FROM power_reports WHERE serial = $1 FOR UPDATE`, [serial]));
  return raw ? toRow(raw) : null;
}

export async function lockReport(tx: SqlRunner, id: string): Promise<ReportRow | null> {
  const [raw] = rowsOf<Raw>(await tx.query(`SELECT * FROM power_reports WHERE id = $1 FOR UPDATE`, [id]));
  return raw ? toRow(raw) : null;
}

/** A user's own report (null for someone else's: the caller answers both the same). */
export async function findUserReport(db: SqlRunner, userId: string, id: string): Promise<ReportRow | null> {
  const [raw] = rowsOf<Raw>(await db.query(`SELECT * FROM power_reports WHERE id = $1 AND user_id = $2`, [id, userId]));
  return raw ? toRow(raw) : null;
}

export async function listUserReports(db: SqlRunner, userId: string, limit: number): Promise<ReportRow[]> {
  return rowsOf<Raw>(await db.query(`SELECT * FROM power_reports WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, [userId, limit])).map(toRow);
}

export async function reportTimeline(db: SqlRunner, id: string): Promise<Array<{ status: ReportStatus; reply: string | null; at: string }>> {
  const rows = rowsOf<{ status: ReportStatus; reply: string | null; at: Date }>(await db.query(`SELECT status, reply, at FROM power_report_events WHERE report_id = $1 ORDER BY id`, [id]));
  return rows.map((r) => ({ status: r.status, reply: r.reply, at: new Date(r.at).toISOString() }));
}

export async function reportPhotos(db: SqlRunner, id: string): Promise<Array<{ seq: number; mediaType: string; bytes: number }>> {
  const rows = rowsOf<{ seq: number; media_type: string; bytes: number }>(await db.query(`SELECT seq, media_type, bytes FROM power_report_photos WHERE report_id = $1 ORDER BY seq`, [id]));
  return rows.map((r) => ({ seq: r.seq, mediaType: r.media_type, bytes: r.bytes }));
}

/** Reports whose ticket is still open, least recently updated first. */
export async function openReports(db: SqlRunner, limit: number): Promise<ReportRow[]> {
  return rowsOf<Raw>(await db.query(`SELECT * FROM power_reports WHERE status IN ('ACCEPTED', 'IN_PROGRESS') ORDER BY updated_at LIMIT $1`, [limit])).map(toRow);
}

/** One photo of a report (its stored path and sniffed type), or null. */
export async function findPhoto(db: SqlRunner, reportId: string, seq: number): Promise<{ path: string; mediaType: string; bytes: number } | null> {
  const [row] = rowsOf<{ path: string; media_type: string; bytes: number }>(await db.query(`SELECT path, media_type, bytes FROM power_report_photos WHERE report_id = $1 AND seq = $2`, [reportId, seq]));
  return row ? { path: row.path, mediaType: row.media_type, bytes: row.bytes } : null;
}

/** Reports for operators, newest first, optionally of one status. */
export async function listReports(db: SqlRunner, status: ReportStatus | null, limit: number): Promise<ReportRow[]> {
  return rowsOf<Raw>(await db.query(`SELECT * FROM power_reports WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2`, [status, limit])).map(toRow);
}

export async function findReport(db: SqlRunner, id: string): Promise<ReportRow | null> {
  const [raw] = rowsOf<Raw>(await db.query(`SELECT * FROM power_reports WHERE id = $1`, [id]));
  return raw ? toRow(raw) : null;
}
