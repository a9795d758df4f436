/**
 * Compiles field specs to JavaScript source, one function per map with
 * straight-line code for each field (as ajv and fast-json-stringify do): no
 * closure per field, no path splitting or step loop per record. The closure
 * compiler in ../field-compiler stays the validator (same compile errors) and
 * runs the fields that use `expr` (JSONata is asynchronous and interpreted;
 * generated code calls that field's closure).
 *
 * Safety: see ./source.ts. Names of locals come from a counter; every value of
 * a definition is a JSON literal or a `K[n]` reference; keys are read as
 * `t["key"]`. A definition therefore cannot inject code, whatever it holds.
 */
import type { CodeTable } from '../code-tables';
import {
  CompileEnv,
  CompiledField,
  ConditionSpec,
  FieldSpec,
  FieldSpecObject,
  MASKS,
  MappingContext,
  ObjectMapper,
  compileDateConvert,
  compileObjectFields,
} from '../field-compiler';
import { compilePath } from '../path';
import { dateSource } from './date-source';
import { getRuntime } from './runtime';
import { SourceBuilder, member, stringLiteral } from './source';

/** Tables up to this size become a `switch`; larger ones a Map lookup. */
const SWITCH_LIMIT = 24;

const missing = (v: string) => `(${v} === undefined || ${v} === null || ${v} === '')`;

/** `target = <path of base>`: a dotted path read hop by hop; fan-out paths (`a[].b`) use the path compiler. */
function readPath(b: SourceBuilder, path: string, base: string, target: string): void {
  const keys = path.split('.');
  if (keys.some((k) => k.endsWith('[]'))) {
    b.line(`${target} = ${b.ref(compilePath(path))}(${base});`);
    return;
  }
  b.line(`${target} = ${base};`);
  for (const key of keys) b.line(`${target} = ${target} !== null && typeof ${target} === 'object' ? ${member(target, key)} : undefined;`);
}

/** `target = <source path>`: a path of the input or one of the `$` roots (validated by the closure compiler). */
function readSource(b: SourceBuilder, path: string, input: string, target: string): void {
  if (path === '$') return b.line(`${target} = ${input};`);
  if (path === '$requestId' || path === '$context.requestId') return b.line(`${target} = c.requestId;`);
  if (path === '$now' || path === '$context.now') return b.line(`${target} = (c.now ?? new Date()).toISOString();`);
  if (path === '$context.operation') return b.line(`${target} = c.operation;`);
  if (path === '$request') return b.line(`${target} = c.request;`);
  if (path.startsWith('$request.')) return readPath(b, path.slice('$request.'.length), 'c.request', target);
  if (path === '$envelope') return b.line(`${target} = c.envelope;`);
  if (path.startsWith('$envelope.')) return readPath(b, path.slice('$envelope.'.length), 'c.envelope', target);
  readPath(b, path, input, target);
}

/** An expression testing a condition on `input` (same rules as compileCondition). */
function condition(b: SourceBuilder, c: ConditionSpec, input: string): string {
  const v = b.name('t');
  b.line(`let ${v};`);
  readPath(b, c.path, input, v);
  if (c.in) return `${b.ref(new Set(c.in.map(String)))}.has(String(${v}))`;
  if ('equals' in c) return c.equals === null ? missing(v) : `String(${v}) === ${stringLiteral(String(c.equals))}`;
  if ('notEquals' in c) return c.notEquals === null ? `!${missing(v)}` : `String(${v}) !== ${stringLiteral(String(c.notEquals))}`;
  return c.exists !== false ? `!${missing(v)}` : missing(v);
}

/** `v = table[String(v)]`, or `otherwise` (code that throws or assigns) for a key not in it. */
function tableLookup(b: SourceBuilder, entries: Array<[string, unknown]>, v: string, otherwise: string): void {
  if (entries.length > SWITCH_LIMIT) {
    const map = b.ref(new Map(entries));
    const k = b.name('k');
    b.line(`const ${k} = String(${v});`);
    b.line(`if (${map}.has(${k})) ${v} = ${map}.get(${k}); else { ${otherwise} }`);
    return;
  }
  b.line(`switch (String(${v})) {`);
  for (const [key, value] of entries) b.line(`case ${stringLiteral(key)}: ${v} = ${b.literal(value)}; break;`);
  b.line(`default: { ${otherwise} }`);
  b.line('}');
}

/** Conversions applied, in order, to a present value in `v` (same order as the closure compiler). */
function steps(b: SourceBuilder, s: FieldSpecObject, field: string, env: CompileEnv, v: string): void {
  const f = stringLiteral(field);
  if (s.trim) b.line(`if (typeof ${v} === 'string') ${v} = ${v}.trim();`);
  if (s.split) {
    b.line(`${v} = String(${v}).split(${stringLiteral(s.split.separator)});`);
    if (s.split.index !== undefined) b.line(`${v} = ${v}.at(${b.literal(s.split.index)});`);
  }
  if (s.lookup) {
    const table = s.lookup;
    const entries = Object.getOwnPropertyNames(table).map((k): [string, unknown] => [k, table[k]]);
    tableLookup(b, entries, v, `throw H.fieldError(${f}, JSON.stringify(${v}) + ${stringLiteral(' is not in the lookup table')});`);
  }
  if (s.code) {
    const table = env.codes?.get(s.code) as CodeTable; // present: the closure compiler checked it
    const otherwise = table.fallback
      ? `${v} = ${b.literal(table.fallback.value)};`
      : `throw H.fieldError(${f}, JSON.stringify(${v}) + ${stringLiteral(` is not in code table ${table.name}`)});`;
    tableLookup(b, [...table.values], v, otherwise);
  }
  if (s.date) {
    const convert = b.ref(compileDateConvert(s.date, field));
    b.line('try {');
    if (!dateSource(b, s.date, field, v, convert)) b.line(`${v} = ${convert}(${v});`);
    b.line(`} catch (err) { throw H.dateError(err, ${f}); }`);
  }
  if (s.money && !s.sum) {
    b.line(`${v} = ${s.money.in === 'yuan' ? 'H.yuan' : 'H.fen'}(${v}, ${f});`);
    if (s.money.out === 'yuan') b.line(`${v} = H.fenToYuan(${v});`);
  } else if (s.money?.out === 'yuan') {
    b.line(`${v} = H.fenToYuan(${v});`);
  } else if (s.type) {
    b.line(`${v} = H.convertType(${stringLiteral(s.type)}, ${f}, ${v});`);
  }
  if (s.mask) b.line(`${v} = ${b.ref(MASKS[s.mask])}(String(${v}));`);
}

/** The value source of a spec into `raw`: const / concat / sum / if / from (`expr` never gets here). */
function source(b: SourceBuilder, s: FieldSpecObject, field: string, env: CompileEnv, input: string, out: string, raw: string): void {
  if ('const' in s) return b.line(`${raw} = ${b.literal(s.const)};`);
  if (s.concat) {
    const parts = b.name('p');
    b.line(`const ${parts} = [];`);
    s.concat.forEach((part, i) => {
      const v = b.name();
      b.line(`let ${v};`);
      value(b, part, `${field}.concat[${i}]`, env, input, out, v);
      b.line(`if (!${missing(v)}) ${parts}.push(${v});`);
    });
    return b.line(`${raw} = ${parts}.join(${stringLiteral(s.separator ?? '')});`);
  }
  if (s.sum) {
    const total = b.name('sum');
    const f = stringLiteral(field);
    const convert = s.money?.in === 'yuan' ? 'H.yuan' : 'H.fen';
    b.line(`let ${total} = 0;`);
    s.sum.forEach((path) => {
      const list = b.name('l');
      const x = b.name('x');
      const j = b.name('j');
      const add = `if (!${missing(x)}) ${total} += ${path.startsWith('$out.') ? 'H.fen' : convert}(${x}, ${f});`;
      b.line(`let ${list};`);
      // `$out.items[].amountFen` sums fields mapped above (integer fen); other paths read the input.
      const [base, rest] = path.startsWith('$out.') ? [out, path.slice(5)] : [input, path];
      const keys = rest.split('.');
      const fan = keys.findIndex((k) => k.endsWith('[]'));
      if (!rest.startsWith('$') && fan >= 0 && !keys.slice(fan + 1).some((k) => k.endsWith('[]'))) {
        // One fan-out: loop over the list and read each item's tail in place (no list of values in between).
        readPath(b, [...keys.slice(0, fan), keys[fan].slice(0, -2)].join('.'), base, list);
        b.line(`${list} = H.asList(${list});`);
        b.line(`for (let ${j} = 0; ${j} < ${list}.length; ${j}++) {`);
        b.line(`let ${x} = ${list}[${j}];`);
        if (fan < keys.length - 1) readPath(b, keys.slice(fan + 1).join('.'), x, x);
        b.line(`${add} }`);
        return;
      }
      if (path.startsWith('$out.')) readPath(b, rest, out, list);
      else readSource(b, path, input, list);
      b.line(`${list} = H.asList(${list});`);
      b.line(`for (let ${j} = 0; ${j} < ${list}.length; ${j}++) { const ${x} = ${list}[${j}]; ${add} }`);
    });
    b.line(`if (!Number.isSafeInteger(${total})) throw H.fieldError(${f}, 'sum exceeds the safe integer range');`);
    return b.line(`${raw} = ${total};`);
  }
  if (s.if) {
    const test = condition(b, s.if, input);
    b.line(`if (${test}) {`);
    if (s.then !== undefined) value(b, s.then, `${field}.then`, env, input, out, raw);
    b.line('} else {');
    if (s.else !== undefined) value(b, s.else, `${field}.else`, env, input, out, raw);
    b.line('}');
    return;
  }
  readSource(b, s.from as string, input, raw);
}

/** `target = <the field's value>` (undefined when absent), for a synchronous spec. */
function value(b: SourceBuilder, spec: FieldSpec, field: string, env: CompileEnv, input: string, out: string, target: string): void {
  const s: FieldSpecObject = typeof spec === 'string' ? { from: spec } : spec;
  b.line('{');
  if (s.each !== undefined) {
    eachList(b, s, field, env, input, target);
  } else {
    const raw = b.name('r');
    b.line(`let ${raw};`);
    source(b, s, field, env, input, out, raw);
    b.line(`if (${missing(raw)}) {`);
    if ('default' in s) b.line(`${target} = ${b.literal(s.default)};`);
    else if (s.required === true) b.line(`throw H.fieldError(${stringLiteral(field)}, 'is required but missing');`);
    else b.line(`${target} = undefined;`);
    b.line('} else {');
    steps(b, s, field, env, raw);
    b.line(`${target} = ${raw};`);
    b.line('}');
  }
  b.line('}');
}

/** `each:` a list of objects, each mapped in place; an error names the item (`items[1].amountFen`). */
function eachList(b: SourceBuilder, s: FieldSpecObject, field: string, env: CompileEnv, input: string, target: string): void {
  const list = b.name('l');
  const result = b.name('a');
  const item = b.name('x');
  const built = b.name('o');
  const j = b.name('j');
  b.line(`let ${list};`);
  readPath(b, s.each as string, input, list);
  b.line(`${list} = H.asList(${list});`);
  b.line(`const ${result} = [];`);
  b.line(`for (let ${j} = 0; ${j} < ${list}.length; ${j}++) {`);
  b.line(`const ${item} = ${list}[${j}];`);
  if (s.where) b.line(`if (!(${condition(b, s.where, item)})) continue;`);
  b.line(`const ${built} = {};`);
  b.line('try {');
  objectFields(b, s.map ?? {}, field, env, item, built, false);
  b.line(`} catch (err) { throw H.itemError(err, ${stringLiteral(field)}, ${result}.length); }`);
  b.line(`${result}.push(${built});`);
  b.line('}');
  b.line(`${target} = ${result};`);
}

/** Each field of a map block in order, assigned into `out` (a field may read earlier ones through `$out.`). */
function objectFields(
  b: SourceBuilder,
  specs: Record<string, FieldSpec>,
  prefix: string,
  env: CompileEnv,
  input: string,
  out: string,
  top: boolean,
  compiled?: CompiledField[],
): void {
  Object.entries(specs).forEach(([name, spec], i) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const v = b.name();
    b.line(`let ${v};`);
    const closure = compiled?.[i];
    if (top && closure?.async) {
      // `expr` inside: the closure compiler's field (JSONata), awaited in order.
      b.line(`${v} = await ${b.ref(closure.fn)}(${input}, c, ${out});`);
    } else {
      b.line(`${v} = ${fieldFunction(b, spec, path, env)}(${input}, c, ${out});`);
    }
    const keys = name.split('.');
    if (keys.length === 1) b.line(`if (${v} !== undefined) ${member(out, name)} = ${v};`);
    else b.line(`if (${v} !== undefined) H.assignPath(${out}, ${b.ref(keys)}, ${v});`);
  });
}

/**
 * A field as a function of its own, `fN(input, ctx, out)`: one huge mapper
 * would pass V8's size limit for optimisation (a 200-field map ran slower than
 * closures); small functions are optimised and inlined where it pays.
 */
function fieldFunction(b: SourceBuilder, spec: FieldSpec, field: string, env: CompileEnv): string {
  const name = b.name('f');
  const body = b.capture(() => value(b, spec, field, env, 'i', 'o', 'v'));
  b.declare(`function ${name}(i, c, o) {\nlet v;\n${body}\nreturn v;\n}`);
  return name;
}

type Generated<F> = { fn: F; source: string };

function build<F>(b: SourceBuilder, body: string): Generated<F> {
  const source = `"use strict";\n${b.declarations()}\nreturn ${body}`;
  // The source holds literals and K[n] references only (see ./source.ts).
  const fn = new Function('K', 'H', source)(b.constants, getRuntime()) as F;
  return { fn, source };
}

/**
 * A `{ target: spec }` block as one generated function. It returns a Promise
 * only when some field uses `expr`, like the closure compiler.
 */
export function generateObjectMapper(specs: Record<string, FieldSpec>, prefix: string, env: CompileEnv): Generated<ObjectMapper> {
  const compiled = compileObjectFields(specs, prefix, env); // validates, with the closure compiler's errors
  const async = compiled.some((f) => f.async);
  const b = new SourceBuilder();
  objectFields(b, specs, prefix, env, 'i', 'o', true, compiled);
  return build<ObjectMapper>(b, `${async ? 'async ' : ''}function map(i, c) {\nconst o = {};\n${b.source()}\nreturn o;\n};`);
}

export type GeneratedField = (input: unknown, ctx: MappingContext, out?: Record<string, unknown>) => unknown;

/** One field as a generated function (its value, or undefined when absent); `expr` fields return the closure's Promise. */
export function generateField(spec: FieldSpec, field: string, env: CompileEnv, closure: CompiledField): Generated<GeneratedField> {
  if (closure.async) return { fn: closure.fn, source: '' };
  const b = new SourceBuilder();
  value(b, spec, field, env, 'i', 'o', 'v');
  return build<GeneratedField>(b, `function field(i, c, o) {\nlet v;\n${b.source()}\nreturn v;\n};`);
}
