import type { SqlRunner } from '../../core/outbox/outbox-writer';
import type { UploadStore } from '../../core/uploads/upload-store';

/** A file younger than this may belong to a report being written right now. */
const GRACE_MS = 60 * 60 * 1000;

const monthOf = (d: Date) => `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * Removes the photos a crash left between writing a file and committing its
 * report (no power_report_photos row), and temporary files: this month's and
 * last month's, older than an hour. Run when the power service starts (a
 * crash is followed by a start). Returns how many files went.
 */
export async function sweepOrphanUploads(db: SqlRunner, uploads: UploadStore, now = new Date()): Promise<number> {
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const files = await uploads.listOlderThan([monthOf(lastMonth), monthOf(now)], new Date(now.getTime() - GRACE_MS));
  let removed = 0;
  for (const f of files.filter((x) => x.temporary)) {
    await uploads.removeTemporary(f.rel);
    removed++;
  }
  const stored = files.filter((x) => !x.temporary).map((x) => x.rel);
  if (stored.length) {
    const known = new Set(((await db.query(`SELECT path FROM power_report_photos WHERE path = ANY($1)`, [stored])) as Array<{ path: string }>).map((r) => r.path));
    const orphans = stored.filter((rel) => !known.has(rel));
    await uploads.remove(orphans);
    removed += orphans.length;
  }
  return removed;
}
