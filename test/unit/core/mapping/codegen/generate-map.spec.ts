import { expect } from 'chai';
import { loadCodeTableText } from '../../../../../core/mapping/code-tables';
import { generateObjectMapper } from '../../../../../core/mapping/codegen/generate-map';
import { CompileEnv, FieldMappingError, FieldSpec, MappingContext, compileField, compileObject } from '../../../../../core/mapping/field-compiler';

type Outcome = { value: unknown } | { error: string; field?: string };

function run(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (err) {
    return { error: (err as Error).message, field: err instanceof FieldMappingError ? err.field : undefined };
  }
}

/** One field through the generated engine and through the closure compiler (the engine before code generation). */
function bothEngines(spec: FieldSpec, input: unknown, env: CompileEnv = {}, ctx: MappingContext = {}) {
  const generated = compileField(spec, 'f', env);
  const closure = compileField(spec, 'f', env, true).fn;
  return { generated: run(() => generated(input, ctx, {})), closure: run(() => closure(input, ctx, {})) };
}

const HOSTILE = [
  '"); process.exit(1); ("',
  "'); globalThis.__mappingPwned = 1; ('",
  '`${globalThis.__mappingPwned = 1}`',
  'back\\slash\\',
  '*/ globalThis.__mappingPwned = 1; /*',
  '</script><script>globalThis.__mappingPwned = 1</script>',
  'line\nbreak\r\n',
  'sep\u2028ara\u2029tors',
  '__proto__',
  'constructor',
  '"]; globalThis.__mappingPwned = 1; //',
  '"]; throw new Error("pwned"); //\u2028*/',
  '张三',
];

describe('core/mapping/codegen - generated mappers', () => {
  afterEach(() => {
    expect((globalThis as Record<string, unknown>).__mappingPwned, 'a definition executed code').to.equal(undefined);
  });

  describe('a definition is data, never code', () => {
    it('keeps hostile constants, separators and defaults as strings', () => {
      for (const text of HOSTILE) {
        expect(compileField({ const: text }, 'f')({}, {})).to.equal(text);
        expect(compileField({ from: 'missing', default: text }, 'f')({}, {})).to.equal(text);
        expect(compileField({ concat: ['a', { const: text }], separator: text }, 'f')({ a: 'x' }, {})).to.equal(`x${text}${text}`);
        expect(compileField({ from: 'a', split: { separator: text, index: 1 } }, 'f')({ a: `1${text}2` }, {})).to.equal('2');
        expect(compileField({ if: { path: 'a', equals: text }, then: { const: 'yes' }, else: { const: 'no' } }, 'f')({ a: text }, {})).to.equal('yes');
      }
    });

    it('reads and writes hostile keys as property names, with the same result as the closure compiler', () => {
      for (const key of HOSTILE.filter((k) => !k.includes('.'))) {
        const input = JSON.parse(JSON.stringify({ [key]: { inner: 'v' } })) as Record<string, unknown>;
        const r = bothEngines({ from: `${key}.inner` }, input);
        expect(r.generated, key).to.deep.equal(r.closure);
        const specs = { [key]: { from: `${key}.inner` }, plain: { const: 1 } } as Record<string, FieldSpec>;
        const out = compileObject(specs)(input, {});
        expect(Object.getOwnPropertyDescriptor(out, key) !== undefined || key === '__proto__', key).to.equal(true);
        expect(out.plain).to.equal(1);
      }
    });

    it('looks hostile keys up in lookup and code tables, small (switch) and large (Map)', () => {
      const table: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      HOSTILE.forEach((k, i) => (table[k] = `${k}#${i}`));
      const large: Record<string, unknown> = { ...table };
      for (let i = 0; i < 40; i++) large[`k${i}`] = i;
      const yaml = `table: hostile\nvalues:\n${HOSTILE.map((k, i) => `  ${JSON.stringify(k)}: ${JSON.stringify(`${k}@${i}`)}`).join('\n')}\n`;
      const codes = new Map([['hostile', loadCodeTableText(yaml, 'codes/hostile.yaml')]]);
      for (const [i, key] of HOSTILE.entries()) {
        for (const lookup of [table, large]) {
          const r = bothEngines({ from: 'k', lookup }, { k: key });
          expect(r.generated, key).to.deep.equal({ value: `${key}#${i}` });
          expect(r.closure).to.deep.equal(r.generated);
        }
        expect(bothEngines({ from: 'k', code: 'hostile' }, { k: key }, { codes }).generated).to.deep.equal({ value: `${key}@${i}` });
      }
      for (const lookup of [table, large]) {
        const r = bothEngines({ from: 'k', lookup }, { k: 'toString' });
        expect(r.generated).to.deep.equal({ error: 'f: "toString" is not in the lookup table', field: 'f' });
        expect(r.closure).to.deep.equal(r.generated);
      }
    });

    it('names hostile fields in errors exactly as written', () => {
      for (const name of HOSTILE.filter((k) => !k.includes('.'))) {
        const map = compileObject({ [name]: { from: 'x', required: true } } as Record<string, FieldSpec>);
        expect(() => map({}, {})).to.throw(FieldMappingError, `${name}: is required but missing`);
      }
    });

    it('puts no definition text into the source except as JSON string literals', () => {
      const key = HOSTILE[HOSTILE.length - 2];
      const specs = { [key]: { const: HOSTILE[0] }, b: { from: HOSTILE[6], default: HOSTILE[7] }, c: { const: HOSTILE[4] } } as Record<string, FieldSpec>;
      const { source, fn } = generateObjectMapper(specs, '', {});
      expect(source).to.include(`o[${JSON.stringify(key).replace('\u2028', '\\u2028')}]`);
      expect(source).to.include(JSON.stringify(HOSTILE[0]));
      expect(source).not.to.include('\u2028');
      expect(fn({}, {})).to.deep.equal({ [key]: HOSTILE[0], b: HOSTILE[7], c: HOSTILE[4] });
      for (const line of source.split('\n')) expect(line).not.to.match(/^\s*\/[/*]/);
    });
  });

  describe('same results as the closure compiler', () => {
    const env: CompileEnv = { codes: new Map([['t', loadCodeTableText('table: t\nvalues: { "1": ONE }\ndefault: null\n', 'codes/t.yaml')]]) };
    const cases: Array<[FieldSpec, unknown[]]> = [
      [{ from: 'a', date: { in: 'yyyyMMddHHmmss', tz: 'Asia/Shanghai' } }, ['20250105083000', 20250105083000, '20250230083000', '2025010508300', '2025O105083000', '00500105083000', null]],
      [{ from: 'a', date: { in: 'yyyy-MM-dd HH:mm:ss.SSS', tz: 'America/New_York' } }, ['2025-03-09 02:30:00.000', '2025-11-02 01:30:00.500', '2024-02-29 23:59:59.999', '2025-02-29 00:00:00.000']],
      [{ from: 'a', date: { in: 'yyyyMMdd', tz: 'UTC' } }, ['20240229', '19700101']],
      [{ from: 'a', date: { in: 'yyyyMMdd', tz: 'Europe/London', out: 'dd/MM/yyyy HH:mm' } }, ['20250330', '20251026']],
      [{ from: 'a', date: { in: 'yyyy-MM', out: 'yyyyMM' } }, ['2025-03', '2025-13', '2025/03']],
      [{ from: 'a', date: { in: 'yyyyMMddHHmmss', out: 'epochSeconds' } }, ['20250105083000']],
      [{ from: 'a', date: { in: 'iso', out: 'yyyyMMdd', outTz: 'UTC' } }, ['2025-01-05T23:30:00+08:00', 'nope']],
      [{ from: 'a', money: { in: 'yuan' } }, ['12.34', '0.29', 3, '1.234', 'x', '']],
      [{ from: 'a', money: { in: 'fen', out: 'yuan' } }, ['1234', -5, '1.5']],
      [{ from: 'a', type: 'integer' }, ['42', '4.2', true]],
      [{ from: 'a', type: 'boolean' }, ['1', 'no']],
      [{ from: 'a', type: 'string' }, [{ x: 1 }, 7]],
      [{ from: 'a', code: 't', trim: true }, [' 1 ', '2']],
      [{ from: 'a', mask: 'mobile' }, ['13812345678']],
      [{ from: 'a', split: { separator: ',' } }, ['a,b']],
      [{ sum: ['a[].v', 'b'], money: { in: 'yuan', out: 'yuan' } }, [{ a: [{ v: '1.10' }, { v: null }], b: '2' }, { a: { v: 'x' } }]],
      [{ sum: ['$out.x', 'a[]', 'a[].b[].c', 'b[].c'] }, [{ a: ['1', '', null, 2], b: [{ c: '3' }, {}, { c: 4 }] }, { a: [{ b: [{ c: 5 }, { c: '6' }] }] }, { b: { c: '1.5' } }, { b: [{ c: [1, 2] }] }]],
      [{ each: 'a', where: { path: 'k', in: ['1', 2] }, map: { v: { from: 'v', required: true }, 'n.m': 'k' } }, [[{ k: '1', v: 'x' }, { k: 3 }, { k: 2 }], { k: 1, v: 'y' }, '']],
      [{ if: { path: 'a', exists: false }, then: { const: 'none' }, else: { from: 'a', type: 'number' } }, ['', '3', 'x']],
      [{ from: '$request.acct', required: true }, [{}]],
      [{ concat: ['$context.operation', '$envelope.ts', { from: 'a', lookup: { 1: 'one' } }], separator: '/' }, ['1', '9']],
    ];
    it('reads and writes pattern dates alike across zones, DST edges, leap days and centuries', () => {
      let seed = 42;
      const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
      const pad = (n: number, w: number) => String(n).padStart(w, '0');
      for (const tz of ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC', 'Asia/Kolkata']) {
        const specs: FieldSpec[] = [
          { from: 'a', date: { in: 'yyyyMMddHHmmssSSS', tz } },
          { from: 'a', date: { in: 'yyyyMMddHHmmssSSS', tz, out: 'yyyy/MM/dd HH:mm:ss.SSS' } },
        ];
        const fns = specs.map((spec) => [compileField(spec, 'f'), compileField(spec, 'f', {}, true).fn]);
        for (let k = 0; k < 400; k++) {
          const year = [next(10000), 1900 + next(200), 2000, 1900, 50 + next(60)][k % 5];
          const text = `${pad(year, 4)}${pad(1 + next(12), 2)}${pad(1 + next(31), 2)}${pad(next(25), 2)}${pad(next(61), 2)}${pad(next(61), 2)}${pad(next(1000), 3)}`;
          for (const [generated, closure] of fns) {
            expect(run(() => generated({ a: text }, {})), `${tz} ${text}`).to.deep.equal(run(() => closure({ a: text }, {})));
          }
        }
        for (const text of ['20250309023000000', '20251102013000000', '20250330013000000', '20251026013000000', '20250406020000000', '20241006020000000', '99991231235959999', '01000101000000000']) {
          for (const [generated, closure] of fns) {
            expect(run(() => generated({ a: text }, {})), `${tz} ${text}`).to.deep.equal(run(() => closure({ a: text }, {})));
          }
        }
      }
    });

    it('maps a 300-field block with dotted targets alike (every field is a function of its own)', () => {
      const specs: Record<string, FieldSpec> = {};
      const input: Record<string, unknown> = {};
      for (let k = 0; k < 300; k++) {
        specs[k % 3 ? `F${k}` : `G${k % 7}.F${k}`] = k % 5 ? { from: `in.${k}`, type: 'integer' } : { from: `in.${k}`, date: { in: 'yyyyMMdd' } };
        input[k] = k % 5 ? String(k) : `2025${String(1 + (k % 12)).padStart(2, '0')}01`;
      }
      const out: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(specs)) {
        const v = compileField(spec, name, {}, true).fn({ in: input }, {}, out);
        const keys = name.split('.');
        if (keys.length === 1) out[name] = v;
        else ((out[keys[0]] ??= {}) as Record<string, unknown>)[keys[1]] = v;
      }
      expect(compileObject(specs)({ in: input }, {})).to.deep.equal(out);
    });

    const ctx: MappingContext = { requestId: 'r1', operation: 'op.x', request: { acct: '330' }, envelope: { ts: 1700000000000 } };
    for (const [spec, inputs] of cases) {
      it(`maps ${JSON.stringify(spec)} alike`, () => {
        for (const raw of inputs) {
          const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : { a: raw };
          const r = bothEngines(spec, input, env, ctx);
          expect(r.generated, JSON.stringify(raw)).to.deep.equal(r.closure);
        }
      });
    }
  });
});
