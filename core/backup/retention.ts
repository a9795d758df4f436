/** The names `gridbus backup run` gives archives: gridbus-YYYYMMDDTHHMMSSZ.gbk (UTC). Nothing else on a drop is touched. */
export const ARCHIVE_NAME = /^gridbus-(\d{4})(\d{2})(\d{2})T\d{6}Z\.gbk$/;

export function archiveName(at: Date): string {
  return `gridbus-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.gbk`;
}

/**
 * The archives retention removes: kept are the newest archive of each of the newest `keepDaily`
 * days, and the newest archive of each of the newest `keepMonthly` months; every other archive
 * name goes. Names that are not archive names are never returned.
 */
export function archivesToDelete(names: string[], keepDaily: number, keepMonthly: number): string[] {
  const archives = names.filter((n) => ARCHIVE_NAME.test(n)).sort().reverse(); // newest first: the names sort by time
  const keep = new Set<string>();
  const days = new Set<string>();
  const months = new Set<string>();
  for (const name of archives) {
    const [, y, m, d] = ARCHIVE_NAME.exec(name)!;
    const day = `${y}${m}${d}`;
    if (!days.has(day) && days.size < keepDaily) {
      days.add(day);
      keep.add(name);
    }
    const month = `${y}${m}`;
    if (!months.has(month) && months.size < keepMonthly) {
      months.add(month);
      keep.add(name);
    }
  }
  return archives.filter((n) => !keep.has(n)).reverse();
}
