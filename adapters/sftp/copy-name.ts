import { posix } from 'path';

/**
 * Names for a second file of the same name in `.done/` or `.failed/`: an
 * earlier copy is never overwritten. The suffix goes before the first dot of
 * the name (`ZF_20251204.csv` → `ZF_20251204~20251204101530123.csv`) so the
 * extension stays and a done file named from `${file:name.noext}` stays
 * unique too.
 */
export function withCopySuffix(path: string, suffix: string): string {
  const base = posix.basename(path);
  const dot = base.indexOf('.', 1);
  const named = dot < 0 ? `${base}~${suffix}` : `${base.slice(0, dot)}~${suffix}${base.slice(dot)}`;
  return posix.join(posix.dirname(path), named);
}

/** yyyyMMddHHmmssSSS in local time, as the `${date:now:...}` tokens. */
export function copyStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

/** The first free name: `path` itself, else with a copy suffix (a counter after the stamp if even that exists). */
export async function freeName(path: string, exists: (p: string) => Promise<boolean>, now: number): Promise<string> {
  if (!(await exists(path))) return path;
  const stamp = copyStamp(now);
  for (let n = 0; ; n++) {
    const candidate = withCopySuffix(path, n === 0 ? stamp : `${stamp}-${n}`);
    if (!(await exists(candidate))) return candidate;
  }
}
