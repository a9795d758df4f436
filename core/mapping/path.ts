/**
 * Dotted paths into nested input: `Customer.ConsNo`, `ArrearsList.Item`.
 * A segment ending in `[]` fans out over a list (`Bills.Bill[].Due` is the
 * list of every bill's Due). Compiled once; reading never throws on a
 * missing hop.
 */
export type PathReader = (input: unknown) => unknown;

/** A list that may arrive as one object, many, or none (typical of SOAP/XML). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function child(input: unknown, key: string): unknown {
  return input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[key] : undefined;
}

export function compilePath(path: string): PathReader {
  const keys = path.split('.');
  if (keys.some((k) => k === '' || k === '[]')) throw new Error(`'${path}' is not a valid path (empty segment)`);
  const fan = keys.findIndex((k) => k.endsWith('[]'));
  if (fan >= 0) {
    const head = compilePath([...keys.slice(0, fan), keys[fan].slice(0, -2)].join('.'));
    const rest = keys.slice(fan + 1);
    const tail = rest.length ? compilePath(rest.join('.')) : null;
    return (input) => {
      const items = asList(head(input));
      if (!tail) return items;
      const out: unknown[] = [];
      for (const item of items) {
        const v = tail(item);
        if (Array.isArray(v) && rest.some((k) => k.endsWith('[]'))) out.push(...v);
        else if (v !== undefined) out.push(v);
      }
      return out;
    };
  }
  if (keys.length === 1) {
    const [k] = keys;
    return (input) => child(input, k);
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
