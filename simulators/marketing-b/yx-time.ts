/** YX's local time (Asia/Shanghai, UTC+8 all year) as "yyyy-MM-dd HH:mm:ss". */
export function yxStamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "yyyy-MM-dd HH:mm:ss" from A's "yyyyMMddHHmmss" (the shared dataset's form). */
export function yxStampOf(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)} ${compact.slice(8, 10)}:${compact.slice(10, 12)}:${compact.slice(12, 14)}`;
}
