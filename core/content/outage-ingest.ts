import type { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { compileRecordCheck, OUTAGE_BULLETIN } from '../mapping/canonical';
import { CompiledFileLayout, parseFile } from '../mapping/files';
import { fileError } from '../mapping/files/errors';

export interface OutageImportResult {
  /** Detail lines read. */
  records: number;
  inserted: number;
  replaced: number;
  /** Bulletins the table already holds in a newer (or the same) issue: left as they are. */
  unchanged: number;
}

interface Bulletin {
  bulletinId: string;
  areaCode: string;
  areaName: string;
  startsAt: string;
  endsAt: string;
  kind: 'PLANNED' | 'FAULT';
  reason?: string | null;
  scope?: string | null;
  issuedAt: string;
}

const checkRecord = compileRecordCheck(OUTAGE_BULLETIN);
/** Rows per upsert statement. */
const BATCH = 500;

/**
 * Loads an outage bulletin file (a layout producing `outage-bulletin`) into
 * outage_bulletin, all or nothing: every line is checked (the canonical shape,
 * an end after the start) and the totals too before anything is written, then
 * the bulletins are upserted in one transaction. Idempotent: the same file
 * again changes nothing; a bulletin id seen again is replaced by the issue with
 * the later issuedAt (a file read late never undoes a newer correction).
 * Throws BACKEND_BAD_RESPONSE naming the line; the SFTP channel then moves the
 * file to .failed with a reason file.
 */
export async function ingestOutageFile(ds: DataSource, layout: CompiledFileLayout, body: Readable, fileName: string): Promise<OutageImportResult> {
  const produces = (layout.definition as { produces?: string }).produces ?? 'reconciliation-record';
  if (produces !== OUTAGE_BULLETIN.name) {
    body.resume();
    throw fileError('bad-record', fileName, 0, `layout ${layout.name} produces ${produces}, not ${OUTAGE_BULLETIN.name}: the outage-bulletins sink takes only outage bulletin layouts`, { layout: layout.name });
  }
  const latest = new Map<string, Bulletin>();
  let records = 0;
  for await (const event of parseFile(layout, body, { fileName })) {
    if (event.kind !== 'detail') continue;
    const refused = checkRecord(event.record);
    if (refused) throw fileError('bad-record', fileName, event.lineNo, `layout ${layout.name}: ${refused.reason}`, { record: 'detail', layout: layout.name, field: refused.field });
    const b = event.record as unknown as Bulletin;
    if (Date.parse(b.endsAt) <= Date.parse(b.startsAt)) {
      throw fileError('bad-record', fileName, event.lineNo, `bulletin ${b.bulletinId} ends (${b.endsAt}) before it starts (${b.startsAt})`, { record: 'detail', layout: layout.name, field: 'endsAt' });
    }
    records++;
    const seen = latest.get(b.bulletinId);
    if (!seen || Date.parse(seen.issuedAt) <= Date.parse(b.issuedAt)) latest.set(b.bulletinId, b);
  }
  const result: OutageImportResult = { records, inserted: 0, replaced: 0, unchanged: 0 };
  const all = [...latest.values()];
  await ds.transaction(async (m) => {
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const col = <K extends keyof Bulletin>(k: K) => batch.map((b) => b[k] ?? null);
      const rows: Array<{ inserted: boolean }> = await m.query(
        `INSERT INTO outage_bulletin (bulletin_id, area_code, area_name, starts_at, ends_at, kind, reason, scope, issued_at, source_file)
         SELECT u.bulletin_id, u.area_code, u.area_name, u.starts_at, u.ends_at, u.kind, coalesce(u.reason, ''), coalesce(u.scope, ''), u.issued_at, $10
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
             AS u(bulletin_id, area_code, area_name, starts_at, ends_at, kind, reason, scope, issued_at)
         ON CONFLICT (bulletin_id) DO UPDATE SET area_code = EXCLUDED.area_code, area_name = EXCLUDED.area_name, starts_at = EXCLUDED.starts_at,
           ends_at = EXCLUDED.ends_at, kind = EXCLUDED.kind, reason = EXCLUDED.reason, scope = EXCLUDED.scope, issued_at = EXCLUDED.issued_at,
           source_file = EXCLUDED.source_file, imported_at = now()
         WHERE outage_bulletin.issued_at < EXCLUDED.issued_at
         RETURNING (xmax = 0) AS inserted`,
        [col('bulletinId'), col('areaCode'), col('areaName'), col('startsAt'), col('endsAt'), col('kind'), col('reason'), col('scope'), col('issuedAt'), fileName],
      );
      const inserted = rows.filter((r) => r.inserted).length;
      result.inserted += inserted;
      result.replaced += rows.length - inserted;
      result.unchanged += batch.length - rows.length;
    }
  });
  return result;
}
