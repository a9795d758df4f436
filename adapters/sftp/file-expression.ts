import { posix } from 'path';
import { GridbusError } from '../../core/errors';

/**
 * The small part of Apache Camel's "simple" language that file options use:
 *
 *   ${file:name}              report.2025.csv
 *   ${file:name.noext}        report            (everything after the first dot removed)
 *   ${file:name.noext.single} report.2025       (only the last extension removed)
 *   ${file:name.ext}          2025.csv          (everything after the first dot)
 *   ${file:name.ext.single}   csv               (only the last extension)
 *   ${file:onlyname}, ${file:onlyname.noext}    same as name / name.noext (no sub-folders here)
 *   ${file:size}, ${file:length}                the size in bytes (e.g. in idempotentKey)
 *   ${file:modified}          the modification time, ms since the epoch
 *   ${date:now:yyyyMMdd}      the current local time, pattern letters yyyy yy MM dd HH mm ss SSS
 *   ${date:file:yyyyMMdd}     the file's modification time, same letters
 *
 * Anything else inside `${...}` is refused when the option is read, never at
 * the first file.
 */
export interface ExpressionContext {
  /** File name without directory. */
  name: string;
  /** Modification time in ms since the epoch (as the server reports it). */
  mtime: number;
  /** Size in bytes; only `${file:size}` reads it. */
  size?: number;
  /** "Now" in ms since the epoch; tests pass a fixed value. */
  now: number;
}

type Part = { literal: string } | { token: (ctx: ExpressionContext) => string };

export interface FileExpression {
  readonly source: string;
  /** True when the expression names the file, i.e. has a `${file:...}` token. */
  readonly usesFileName: boolean;
  evaluate(ctx: ExpressionContext): string;
}

const DATE_LETTERS = /(yyyy|yy|MM|dd|HH|mm|ss|SSS)/;
const IS_DATE_LETTERS = /^(yyyy|yy|MM|dd|HH|mm|ss|SSS)$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Compiles a java.text.SimpleDateFormat-like pattern (digits only, local time). */
export function compileDatePattern(pattern: string, option = 'date pattern'): (ms: number) => string {
  const pieces = pattern.split(DATE_LETTERS).filter((p) => p !== '');
  for (const piece of pieces) {
    if (!IS_DATE_LETTERS.test(piece) && /[A-Za-z]/.test(piece)) {
      throw new GridbusError('CONFIG_INVALID', `${option}: '${pattern}' has '${piece}', which is not a date letter (use yyyy yy MM dd HH mm ss SSS)`);
    }
  }
  return (ms: number) => {
    const d = new Date(ms);
    return pieces
      .map((p) => {
        switch (p) {
          case 'yyyy': return pad(d.getFullYear(), 4);
          case 'yy': return pad(d.getFullYear() % 100, 2);
          case 'MM': return pad(d.getMonth() + 1, 2);
          case 'dd': return pad(d.getDate(), 2);
          case 'HH': return pad(d.getHours(), 2);
          case 'mm': return pad(d.getMinutes(), 2);
          case 'ss': return pad(d.getSeconds(), 2);
          case 'SSS': return pad(d.getMilliseconds(), 3);
          default: return p;
        }
      })
      .join('');
  };
}

function noExt(name: string): string {
  const i = name.indexOf('.', 1);
  return i < 0 ? name : name.slice(0, i);
}
function noExtSingle(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? name : name.slice(0, i);
}
function ext(name: string): string {
  const i = name.indexOf('.', 1);
  return i < 0 ? '' : name.slice(i + 1);
}
function extSingle(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i + 1);
}

const FILE_TOKENS: Record<string, (ctx: ExpressionContext) => string> = {
  'file:name': (c) => c.name,
  'file:onlyname': (c) => c.name,
  'file:name.noext': (c) => noExt(c.name),
  'file:onlyname.noext': (c) => noExt(c.name),
  'file:name.noext.single': (c) => noExtSingle(c.name),
  'file:onlyname.noext.single': (c) => noExtSingle(c.name),
  'file:name.ext': (c) => ext(c.name),
  'file:name.ext.single': (c) => extSingle(c.name),
  'file:size': (c) => String(c.size ?? ''),
  'file:length': (c) => String(c.size ?? ''),
  'file:modified': (c) => String(c.mtime),
};

/** Compiles an expression once; `option` names it in error messages (e.g. `move`). */
export function compileExpression(source: string, option: string): FileExpression {
  const parts: Part[] = [];
  let usesFileName = false;
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    if (m.index > last) parts.push({ literal: source.slice(last, m.index) });
    last = re.lastIndex;
    const token = m[1].trim();
    const fileFn = FILE_TOKENS[token];
    if (fileFn) {
      usesFileName = true;
      parts.push({ token: fileFn });
      continue;
    }
    const date = /^date:(now|file):(.+)$/.exec(token);
    if (date) {
      const format = compileDatePattern(date[2], `${option}: \${${token}}`);
      parts.push({ token: date[1] === 'now' ? (c) => format(c.now) : (c) => format(c.mtime) });
      continue;
    }
    throw new GridbusError('CONFIG_INVALID', `${option}: unknown token \${${token}} in '${source}' (known: ${Object.keys(FILE_TOKENS).map((t) => `\${${t}}`).join(' ')} \${date:now:PATTERN} \${date:file:PATTERN})`);
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  if (source.slice(last).includes('${')) {
    throw new GridbusError('CONFIG_INVALID', `${option}: unclosed \${ in '${source}'`);
  }
  return {
    source,
    usesFileName,
    evaluate(ctx: ExpressionContext): string {
      return parts.map((p) => ('literal' in p ? p.literal : p.token(ctx))).join('');
    },
  };
}

/**
 * A move/preMove/moveFailed target. As in Camel, a value without any
 * `${...}` token names a directory, and the file keeps its name in it
 * (`.done` means `.done/${file:name}`). Relative values are relative to the
 * consumer's directory.
 */
export function compileMoveExpression(source: string, option: string): FileExpression {
  const trimmed = source.trim();
  if (!trimmed) throw new GridbusError('CONFIG_INVALID', `${option}: must not be empty`);
  const full = trimmed.includes('${') ? trimmed : `${trimmed.replace(/\/+$/, '')}/\${file:name}`;
  return compileExpression(full, option);
}

/** Resolves an evaluated move expression against the consumer's directory. */
export function resolveTarget(directory: string, evaluated: string): string {
  return posix.normalize(evaluated.startsWith('/') ? evaluated : posix.join(directory, evaluated));
}

/**
 * The done-file name expression. It must name the data file (`${file:name}`
 * or `${file:name.noext}`...): a single static done file for a whole
 * directory is not supported.
 */
export interface DoneFileName extends FileExpression {
  /** True when `name` has the shape of a done file (such files are never consumed themselves). */
  isDoneFile(name: string): boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileDoneFileName(source: string, option = 'doneFileName'): DoneFileName {
  const expr = compileExpression(source, option);
  if (!expr.usesFileName) {
    throw new GridbusError('CONFIG_INVALID', `${option}: '${source}' must contain \${file:name} or \${file:name.noext} (a static done file for the whole directory is not supported)`);
  }
  if (source.includes('/')) {
    throw new GridbusError('CONFIG_INVALID', `${option}: '${source}' must be a file name in the same directory, without '/'`);
  }
  // any token matches one or more characters; literals must match exactly
  const pattern = source
    .split(/(\$\{[^}]*\})/)
    .map((p) => (p.startsWith('${') ? '.+' : escapeRegExp(p)))
    .join('');
  const shape = new RegExp(`^${pattern}$`);
  // `${file:name}` alone would make every file a done file
  if (source.replace(/\$\{[^}]*\}/g, '') === '') {
    throw new GridbusError('CONFIG_INVALID', `${option}: '${source}' would be the data file's own name: add a prefix or suffix such as \${file:name}.done`);
  }
  return { ...expr, isDoneFile: (name: string) => shape.test(name) };
}

/**
 * include/exclude filters. A string is a regular expression matched against
 * the WHOLE file name (as Java's String.matches in Camel): `.*\.csv`, not
 * `\.csv`. A RegExp object is used as given.
 */
export function compileNamePattern(value: string | RegExp, option: string): RegExp {
  if (value instanceof RegExp) return value;
  try {
    return new RegExp(`^(?:${value})$`);
  } catch (err) {
    throw new GridbusError('CONFIG_INVALID', `${option}: '${value}' is not a valid regular expression: ${(err as Error).message}`);
  }
}

export function nameFilter(include?: RegExp, exclude?: RegExp): (name: string) => boolean {
  return (name) => {
    if (include) {
      include.lastIndex = 0;
      if (!include.test(name)) return false;
    }
    if (exclude) {
      exclude.lastIndex = 0;
      if (exclude.test(name)) return false;
    }
    return true;
  };
}

/** Camel's `idempotentKey`, plus `content-hash` (sha256 of the bytes: the default). */
export type IdempotentKeyExpression = { kind: 'content-hash'; source: 'content-hash' } | { kind: 'expression'; source: string; expression: FileExpression };

export const CONTENT_HASH_KEY = 'content-hash';

export function compileIdempotentKey(source: string, option = 'idempotentKey'): IdempotentKeyExpression {
  const trimmed = source.trim();
  if (trimmed === CONTENT_HASH_KEY) return { kind: 'content-hash', source: CONTENT_HASH_KEY };
  const expression = compileExpression(trimmed, option);
  // a key without the file in it would make every file after the first a duplicate
  if (!expression.usesFileName) {
    throw new GridbusError('CONFIG_INVALID', `${option}: '${source}' names no file: write '${CONTENT_HASH_KEY}' (the default) or an expression such as \${file:name}-\${file:size}`);
  }
  return { kind: 'expression', source: trimmed, expression };
}
