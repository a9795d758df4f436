/**
 * Dotted paths into nested input: `Customer.ConsNo`, `ArrearsList.Item`.
 * Compiled once into a list of keys; reading never throws on a missing hop.
 */
export type PathReader = (input: unknown) => unknown;

export function compilePath(path: string): PathReader {
  const keys = path.split('.');
  if (keys.some((k) => k === '')) throw new Error(`'${path}' is not a valid path (empty segment)`);
  if (keys.length === 1) {
    const [k] = keys;
    return (input) => (input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[k] : undefined);
  }
  return (input) => {
    let cur: unknown = input;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
}

/** A list that may arrive as one object, many, or none (typical of SOAP/XML). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
