import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { loadLifeNumberSpec, OpenApiDocument } from '../../core/openapi/life-number-spec';

const SPEC_ID = 'https://gridbus.invalid/openapi/life-number';
let spec: OpenApiDocument | null = null;
let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction>();

type ResponseObject = { $ref?: string; content?: Record<string, { schema?: unknown }>; headers?: Record<string, { required?: boolean; schema?: unknown }> };
type Operation = { responses?: Record<string, ResponseObject> };

/** ajv for OpenAPI 3.1 schemas (JSON Schema 2020-12): `example` and the document's own keys are not schema keywords. */
export function openApiAjv(): Ajv2020 {
  const validator = new Ajv2020({ strict: false, allErrors: true });
  addFormats(validator);
  return validator;
}

function load(): { spec: OpenApiDocument; ajv: Ajv2020 } {
  if (!spec || !ajv) {
    spec = loadLifeNumberSpec();
    ajv = openApiAjv();
    ajv.addSchema({ ...spec, $id: SPEC_ID });
  }
  return { spec, ajv };
}

export const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** A response object and the JSON pointer it lives at, following `$ref: '#/components/responses/…'`. */
export function resolveResponse(doc: OpenApiDocument, at: string, response: ResponseObject): { at: string; response: ResponseObject } {
  const seen = new Set<string>();
  while (response.$ref) {
    const ref = response.$ref;
    if (!ref.startsWith('#/') || seen.has(ref)) throw new Error(`contract: response $ref ${ref} at ${at} does not resolve`);
    seen.add(ref);
    const target = ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc) as ResponseObject | undefined;
    if (!target) throw new Error(`contract: response $ref ${ref} at ${at} does not resolve`);
    at = ref.slice(2);
    response = target;
  }
  return { at, response };
}

/** Operations `expectContract` checked in this process (the coverage check reads the test sources instead). */
export const CHECKED = new Set<string>();

/**
 * Checks a real response against openapi/life-number.yaml (+ parts): the
 * operation (`'GET /api/v1/payments/{id}'`) documents this status, and the
 * JSON body validates against its schema. Throws with ajv's errors otherwise.
 */
export function expectContract(res: { status: number; json?: unknown; text?: string; headers?: Headers }, operation: string): void {
  const { spec: doc, ajv: validator } = load();
  const [method, template] = operation.split(' ');
  const op = doc.paths[template]?.[method.toLowerCase()] as Operation | undefined;
  if (!op) throw new Error(`contract: ${operation} is not in openapi/life-number.yaml`);
  const status = String(res.status);
  const key = op.responses?.[status] ? status : 'default';
  const declared = op.responses?.[key];
  if (!declared) throw new Error(`contract: ${operation} does not document status ${status} (documented: ${Object.keys(op.responses ?? {}).join(', ')}); body ${res.text ?? JSON.stringify(res.json)}`);
  CHECKED.add(operation);
  const { at, response } = resolveResponse(doc, pointer('paths', template, method.toLowerCase(), 'responses', key), declared);
  // headers the response marks required (WWW-Authenticate on 401) are there and fit their schema
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (!header.required || !res.headers) continue;
    const value = res.headers.get(name);
    if (value === null) throw new Error(`contract: ${operation} ${status} lacks the header ${name} the spec requires`);
    const check = validator.compile(header.schema ?? {});
    const typed = /^-?[0-9]+$/.test(value) && !check(value) ? Number(value) : value;
    if (!check(typed)) throw new Error(`contract: ${operation} ${status} header ${name}: ${value} does not match the spec: ${validator.errorsText(check.errors)}`);
  }
  const content = response.content?.['application/json'];
  if (!content?.schema) {
    const media = Object.keys(response.content ?? {});
    if (!media.length) {
      // documented without a body (204, 304): none may come
      if (res.text) throw new Error(`contract: ${operation} ${status} documents no body but got ${res.text.slice(0, 200)}`);
      return;
    }
    // another media type (an image, a file): the Content-Type must be one documented
    const type = res.headers?.get('content-type')?.split(';')[0].trim().toLowerCase();
    if (type !== undefined && !media.some((m) => m.toLowerCase() === type || (m.endsWith('/*') && type.startsWith(m.slice(0, -1).toLowerCase())))) {
      throw new Error(`contract: ${operation} ${status} answered ${type}, documented: ${media.join(', ')}`);
    }
    if (type === undefined && res.json !== undefined && res.json !== null) throw new Error(`contract: ${operation} ${status} documents no JSON body but got ${(res.text ?? '').slice(0, 200)}`);
    return;
  }
  const ref = `${SPEC_ID}#/${at}/${pointer('content', 'application/json', 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) compiled.set(ref, (validate = validator.compile({ $ref: ref })));
  if (!validate(res.json)) {
    throw new Error(`contract: ${operation} ${status} body does not match the spec: ${validator.errorsText(validate.errors, { separator: '; ' })}\nbody: ${JSON.stringify(res.json ?? res.text).slice(0, 1000)}`);
  }
}
