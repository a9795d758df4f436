import { GridbusError } from '../errors';

/** A mistake in a definition found while compiling it: where (path inside the file) and what. */
export class MappingCompileError extends Error {
  constructor(readonly where: string, readonly what: string) {
    super(`${where}: ${what}`);
    this.name = 'MappingCompileError';
  }
}

/** One problem of one definition: where inside the file (`records.detail.fields[3]`) and what to write instead. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

/**
 * MAPPING_INVALID for a definition with one or more problems: the message
 * names the first (and how many more), `details.problems` lists every one so
 * that validation shows them all in one round.
 */
export function definitionInvalid(file: string, problems: DefinitionProblem[] | string, what?: string): GridbusError {
  const list = typeof problems === 'string' ? [{ path: problems, message: what ?? 'is invalid' }] : problems;
  const [first] = list;
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  return new GridbusError('MAPPING_INVALID', `${file}: ${first.path}: ${first.message}${more}`, {
    details: { file, path: first.path, problems: list },
  });
}

/** `/records/detail/fields/3/width` → `records.detail.fields[3].width` */
export function schemaPath(instancePath: string): string {
  if (!instancePath) return '(top level)';
  return instancePath
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

/** Joins a path and a key in the form of schemaPath. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent && parent !== '(top level)' ? `${parent}.${key}` : key;
}

/** Levenshtein distance, for "did you mean" (keys and names are short). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = keep;
    }
  }
  return prev[b.length];
}

/** The closest of `candidates` to `word`, if close enough to be a typo of it. */
export function closest(word: string, names: Iterable<string>): string | undefined {
  const candidates = [...names];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (bestDistance <= limit) return best;
  // A name cut short or with a unit added (lateFee / lateFeeFen) is meant too.
  const lower = word.toLowerCase();
  return candidates.find((c) => word.length >= 3 && (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())));
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}
