import type { OpenApiDocument } from '../../../core/openapi/life-number-spec';

type Json = Record<string, unknown>;
/** A fastest-validator rule as Moleculer keeps it on an action (object form; `'string|optional'` shorthand too). */
type Rule = Json & { type?: string; optional?: boolean; nullable?: boolean; pattern?: RegExp | string; min?: number; max?: number; integer?: boolean; positive?: boolean; values?: unknown[] };

const resolve = (doc: OpenApiDocument, node: unknown): Json => {
  let n = node as Json;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) {
    n = (n.$ref as string)
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, key) => (at as Json | undefined)?.[key], doc) as Json;
  }
  return n ?? {};
};

function ruleOf(raw: unknown): Rule {
  if (typeof raw !== 'string') return (raw ?? {}) as Rule;
  const [type, ...flags] = raw.split('|');
  return { type, optional: flags.includes('optional') };
}

/** What the spec says a request of an operation carries: path and query parameters and the JSON body's properties. */
function requestFields(doc: OpenApiDocument, op: Json, withBody: boolean): { fields: Map<string, { required: boolean; schema: Json }>; problems: string[] } {
  const fields = new Map<string, { required: boolean; schema: Json }>();
  const problems: string[] = [];
  for (const p of (op.parameters as unknown[]) ?? []) {
    const param = resolve(doc, p);
    if (param.in === 'path' || param.in === 'query') fields.set(param.name as string, { required: param.required === true, schema: resolve(doc, param.schema) });
  }
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  if (withBody && body?.['application/json']) {
    const schema = resolve(doc, body['application/json'].schema);
    if (schema.type !== 'object' || !schema.properties) problems.push('its JSON body schema is not a plain object with properties');
    const required = new Set((schema.required as string[]) ?? []);
    for (const [name, prop] of Object.entries((schema.properties as Json) ?? {})) fields.set(name, { required: required.has(name), schema: resolve(doc, prop) });
  }
  return { fields, problems };
}

const typesOf = (schema: Json): string[] => (Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : []);

/**
 * The spec's request of one operation against the params its action
 * validates: the same names, the same required ones, and where the action
 * says it, the same type, pattern, bounds and nullability. Answers the
 * differences in words (empty when they agree). `body: false` for a stream
 * alias: the action reads the body itself, its params are the path and query.
 */
export function requestDrift(doc: OpenApiDocument, op: Json, params: Record<string, unknown>, opts: { body?: boolean } = {}): string[] {
  const { fields, problems } = requestFields(doc, op, opts.body !== false);
  const rules = new Map(Object.entries(params).filter(([k]) => !k.startsWith('$$')).map(([k, v]) => [k, ruleOf(v)] as const));
  for (const name of rules.keys()) if (!fields.has(name)) problems.push(`the action takes ${name}, the spec does not`);
  for (const name of fields.keys()) if (!rules.has(name)) problems.push(`the spec has ${name}, the action does not take it`);
  for (const [name, rule] of rules) {
    const field = fields.get(name);
    if (!field) continue;
    const s = field.schema;
    const types = typesOf(s);
    if (field.required !== (rule.optional !== true)) problems.push(`${name}: ${rule.optional ? 'optional' : 'required'} in the action, ${field.required ? 'required' : 'optional'} in the spec`);
    const expected: Record<string, string[]> = { string: ['string'], boolean: ['boolean'], array: ['array'], object: ['object'], record: ['object'], number: rule.integer ? ['integer'] : ['number', 'integer'] };
    if (rule.type === 'enum') {
      const values = (s.enum as unknown[]) ?? (s.const !== undefined ? [s.const] : []);
      if (JSON.stringify([...values].sort()) !== JSON.stringify([...(rule.values ?? [])].sort())) problems.push(`${name}: enum ${JSON.stringify(rule.values)} in the action, ${JSON.stringify(values)} in the spec`);
    } else if (rule.type && expected[rule.type] && !types.some((t) => expected[rule.type!].includes(t))) {
      problems.push(`${name}: ${rule.type}${rule.integer ? ' (integer)' : ''} in the action, ${types.join('|') || 'no type'} in the spec`);
    }
    if (rule.nullable && !types.includes('null')) problems.push(`${name}: nullable in the action, not in the spec`);
    if (rule.pattern !== undefined) {
      const source = rule.pattern instanceof RegExp ? rule.pattern.source : String(rule.pattern);
      if (s.pattern !== source) problems.push(`${name}: pattern ${source} in the action, ${s.pattern ?? 'none'} in the spec`);
    }
    const [lo, hi] = rule.type === 'string' ? ['minLength', 'maxLength'] : ['minimum', 'maximum'];
    if (rule.min !== undefined && s[lo] !== rule.min) problems.push(`${name}: min ${rule.min} in the action, ${lo} ${s[lo] ?? 'none'} in the spec`);
    if (rule.max !== undefined && s[hi] !== rule.max) problems.push(`${name}: max ${rule.max} in the action, ${hi} ${s[hi] ?? 'none'} in the spec`);
    if (rule.positive && !((s.minimum as number) > 0 || s.exclusiveMinimum === 0)) problems.push(`${name}: positive in the action, the spec allows 0 or less`);
  }
  return problems;
}
