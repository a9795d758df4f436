/**
 * Building blocks of generated JavaScript source. Nothing from a definition is
 * ever pasted as code: strings, numbers, booleans and null become JSON
 * literals (JSON.stringify, plus the two line separators escaped), every other
 * value is handed to the generated function as data (`K[n]`), and property
 * names are read as `t["key"]`, never `t.key`. Identifiers and comments come
 * from the generator alone.
 */
export class SourceBuilder {
  private lines: string[] = [];
  private readonly functions: string[] = [];
  /** Values the generated code refers to by index (`K[n]`): tables, functions, objects. */
  readonly constants: unknown[] = [];
  private counter = 0;

  /** A fresh local variable name (`v3`); never derived from a definition. */
  name(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  line(code: string): void {
    this.lines.push(code);
  }

  /** The lines `emit` writes, taken out of the current body (to become a function of their own). */
  capture(emit: () => void): string {
    const saved = this.lines;
    this.lines = [];
    try {
      emit();
      return this.lines.join('\n');
    } finally {
      this.lines = saved;
    }
  }

  /** A function declaration placed before the mapper (every field is one: small functions stay optimisable). */
  declare(code: string): void {
    this.functions.push(code);
  }

  /** The declared functions, in order. */
  declarations(): string {
    return this.functions.join('\n');
  }

  /** A reference to a value passed as data, not as source. */
  ref(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  /** A literal for a value from a definition: JSON for primitives, a `K[n]` reference for anything else. */
  literal(value: unknown): string {
    if (typeof value === 'string') return stringLiteral(value);
    if (value === null || typeof value === 'boolean') return String(value);
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
    if (value === undefined) return 'void 0';
    return this.ref(value);
  }

  source(): string {
    return this.lines.join('\n');
  }
}

/**
 * A string as a JavaScript string literal. JSON.stringify escapes quotes,
 * backslashes and control characters; U+2028/U+2029 are escaped too so the
 * text stays one line whatever reads it.
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** `base["key"]`: a property read whatever the key holds (`__proto__`, quotes, a comment end). */
export function member(base: string, key: string): string {
  return `${base}[${stringLiteral(key)}]`;
}
