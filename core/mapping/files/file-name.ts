/**
 * File-name patterns such as `DZ{busType}{payType}_{bankNo}{comNo}{yyyyMMdd}{seq}.txt`.
 *
 * - a date token made of `yyyy`, `MM` and optionally `dd` (`{yyyyMMdd}`,
 *   `{yyyyMM}`, `{ddMMyyyy}`) is the file's date, returned as `date` in
 *   `yyyy-MM-dd` (or `yyyy-MM`) form;
 * - `{seq}` is a sequence number (digits), returned as a number and written
 *   zero-padded to its length;
 * - any other `{name}` is a text part, described under `parts:` by its
 *   `length` and `chars` (digits | alphanumeric | any).
 * Two neighbouring tokens need a fixed length on at least the first, or the
 * name could be split in more than one way (refused when the layout loads).
 */
import { GridbusError } from '../../errors';
import { DateFormatError, compileDateReformat } from '../date-format';
import { fileError } from './errors';

export interface FileNamePartSpec {
  length?: number;
  chars?: 'digits' | 'alphanumeric' | 'any';
}

export interface FileNameSpec {
  pattern: string;
  parts?: Record<string, FileNamePartSpec>;
}

/** `date` as yyyy-MM-dd (or yyyy-MM), `seq` as a number, other parts as text. */
export type FileNameParts = Record<string, string | number>;

export interface CompiledFileName {
  readonly pattern: string;
  /** The parts of a matching name, or undefined (for filtering a directory listing). */
  match(name: string): FileNameParts | undefined;
  /** The parts of a name; a non-matching name is refused (BACKEND_BAD_RESPONSE, kind bad-file-name). */
  parse(name: string): FileNameParts;
  /** A name from parts; bad or missing parts are refused (VALIDATION_FAILED). */
  build(parts: FileNameParts): string;
}

type Piece =
  | { kind: 'literal'; text: string }
  | { kind: 'date'; token: string; form: string; read: (v: string) => string; write: (v: string) => string }
  | { kind: 'seq'; name: 'seq'; length?: number }
  | { kind: 'part'; name: string; length?: number; chars: NonNullable<FileNamePartSpec['chars']> };

const CLASS: Record<NonNullable<FileNamePartSpec['chars']>, string> = {
  digits: '[0-9]',
  alphanumeric: '[A-Za-z0-9]',
  any: '[^/\\\\]',
};
const TEST: Record<NonNullable<FileNamePartSpec['chars']>, RegExp> = {
  digits: /^[0-9]+$/,
  alphanumeric: /^[A-Za-z0-9]+$/,
  any: /^[^/\\]+$/,
};
const DATE_TOKEN = /^(yyyy|MM|dd)+$/;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a file-name spec; throws Error with a reason (the loader adds file and path). */
export function compileFileName(spec: FileNameSpec): CompiledFileName {
  const parts = spec.parts ?? {};
  const pieces: Piece[] = [];
  const used = new Set<string>();
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(spec.pattern); m; m = re.exec(spec.pattern)) {
    if (m.index > last) pieces.push({ kind: 'literal', text: spec.pattern.slice(last, m.index) });
    last = m.index + m[0].length;
    const name = m[1];
    if (DATE_TOKEN.test(name)) {
      if (used.has('date')) throw new Error(`pattern has more than one date token ({${name}})`);
      used.add('date');
      const count = (t: string) => name.split(t).length - 1;
      if (count('yyyy') !== 1 || count('MM') !== 1 || count('dd') > 1) throw new Error(`date token {${name}} needs yyyy and MM once (and dd at most once)`);
      const form = count('dd') === 1 ? 'yyyy-MM-dd' : 'yyyy-MM';
      pieces.push({ kind: 'date', token: name, form, read: compileDateReformat(name, form)!, write: compileDateReformat(form, name)! });
      continue;
    }
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`{${name}} is not a token name`);
    if (used.has(name)) throw new Error(`{${name}} appears twice`);
    used.add(name);
    const p = parts[name] ?? {};
    if (name === 'seq') {
      if (p.chars !== undefined && p.chars !== 'digits') throw new Error('parts.seq.chars: a sequence is digits');
      pieces.push({ kind: 'seq', name: 'seq', length: p.length });
    } else {
      pieces.push({ kind: 'part', name, length: p.length, chars: p.chars ?? 'any' });
    }
  }
  if (last < spec.pattern.length) pieces.push({ kind: 'literal', text: spec.pattern.slice(last) });
  if (/[{}]/.test(pieces.filter((p) => p.kind === 'literal').map((p) => (p as { text: string }).text).join(''))) {
    throw new Error(`unbalanced braces in '${spec.pattern}'`);
  }
  for (const name of Object.keys(parts)) {
    if (!used.has(name)) throw new Error(`parts.${name} is not a token of the pattern`);
  }

  let source = '^';
  const groups: Piece[] = [];
  pieces.forEach((p, i) => {
    if (p.kind === 'literal') {
      source += escapeRegex(p.text);
      return;
    }
    const next = pieces[i + 1];
    const variable = p.kind !== 'date' && p.length === undefined;
    if (variable && next && next.kind !== 'literal') {
      throw new Error(`{${p.name}} has no length and is followed directly by another token; give parts.${p.name}.length`);
    }
    groups.push(p);
    if (p.kind === 'date') source += `([0-9]{${p.token.length}})`;
    else {
      const cls = p.kind === 'seq' ? CLASS.digits : CLASS[p.chars];
      source += `(${cls}${p.length === undefined ? '+' : `{${p.length}}`})`;
    }
  });
  const matcher = new RegExp(`${source}$`);

  function match(name: string): FileNameParts | undefined {
    const m = matcher.exec(name);
    if (!m) return undefined;
    const out: FileNameParts = {};
    for (let i = 0; i < groups.length; i++) {
      const p = groups[i];
      const text = m[i + 1];
      if (p.kind === 'date') {
        try {
          out.date = p.read(text);
        } catch (err) {
          if (err instanceof DateFormatError) return undefined;
          throw err;
        }
      } else if (p.kind === 'seq') out.seq = Number(text);
      else if (p.kind === 'part') out[p.name] = text;
    }
    return out;
  }

  function refuse(reason: string, field?: string): GridbusError {
    return new GridbusError('VALIDATION_FAILED', `file name ${spec.pattern}: ${reason}`, { details: { field: field ?? 'fileName', pattern: spec.pattern, reason } });
  }

  return {
    pattern: spec.pattern,
    match,
    parse(name) {
      const parsed = match(name);
      if (!parsed) throw fileError('bad-file-name', name, 0, `the name does not match the pattern ${spec.pattern}`, { pattern: spec.pattern });
      return parsed;
    },
    build(given) {
      let out = '';
      for (const p of pieces) {
        if (p.kind === 'literal') {
          out += p.text;
          continue;
        }
        if (p.kind === 'date') {
          const v = given.date;
          if (typeof v !== 'string') throw refuse(`date is required (${p.form})`, 'date');
          try {
            out += p.write(v);
          } catch (err) {
            if (err instanceof DateFormatError) throw refuse(`date ${JSON.stringify(v)} is not a date in the form ${p.form}`, 'date');
            throw err;
          }
          continue;
        }
        const v = given[p.name];
        if (p.kind === 'seq') {
          if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw refuse('seq must be a non-negative integer', 'seq');
          const text = p.length === undefined ? String(v) : String(v).padStart(p.length, '0');
          if (p.length !== undefined && text.length > p.length) throw refuse(`seq ${v} does not fit in ${p.length} digits`, 'seq');
          out += text;
          continue;
        }
        if (typeof v !== 'string' || v === '') throw refuse(`${p.name} is required`, p.name);
        if (p.length !== undefined && v.length !== p.length) throw refuse(`${p.name} ${JSON.stringify(v)} must be ${p.length} characters`, p.name);
        if (!TEST[p.chars].test(v)) throw refuse(`${p.name} ${JSON.stringify(v)} must be ${p.chars === 'any' ? 'without path separators' : p.chars}`, p.name);
        out += v;
      }
      for (const key of Object.keys(given)) {
        if (!groups.some((p) => (p.kind === 'date' ? key === 'date' : p.kind !== 'literal' && p.name === key))) {
          throw refuse(`'${key}' is not a part of the pattern`, key);
        }
      }
      return out;
    },
  };
}
