import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { loadLifeNumberSpec, OpenApiDocument } from '../../core/openapi/life-number-spec';

const SPEC_ID = 'https://gridbus.invalid/openapi/life-number';
let spec: OpenApiDocument | null = null;
let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction>();

function load(): { spec: OpenApiDocument; ajv: Ajv2020 } {
  if (!spec || !ajv) {
    spec = loadLifeNumberSpec();
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; `example` and the document's own keys are not schema keywords
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...spec, $id: SPEC_ID });
  }
  return { spec, ajv };
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Operations `expectContract` checked in this process (the coverage check reads the test sources instead). */
export const CHECKED = new Set<string>();

/**
 * Checks a real response against openapi/life-number.yaml (+ parts): the
 * operation (`'GET /api/v1/payments/{id}'`) documents this status, and the
 * JSON body validates against its schema. Throws with ajv's errors otherwise.
 */
export function expectContract(res: { status: number; json?: unknown; text?: string }, operation: string): void {
  const { spec: doc, ajv: validator } = load();
  const [method, template] = operation.split(' ');
  const op = doc.paths[template]?.[method.toLowerCase()] as { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> } | undefined;
  if (!op) throw new Error(`contract: ${operation} is not in openapi/life-number.yaml`);
  const status = String(res.status);
  const response = op.responses?.[status] ?? op.responses?.default;
  if (!response) throw new Error(`contract: ${operation} does not document status ${status} (documented: ${Object.keys(op.responses ?? {}).join(', ')}); body ${res.text ?? JSON.stringify(res.json)}`);
  CHECKED.add(operation);
  const key = op.responses?.[status] ? status : 'default';
  const content = response.content?.['application/json'];
  if (!content?.schema) {
    if (res.json !== undefined && res.json !== null && res.text) throw new Error(`contract: ${operation} ${status} documents no JSON body but got ${res.text.slice(0, 200)}`);
    return;
  }
  const ref = `${SPEC_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) compiled.set(ref, (validate = validator.compile({ $ref: ref })));
  if (!validate(res.json)) {
    throw new Error(`contract: ${operation} ${status} body does not match the spec: ${validator.errorsText(validate.errors, { separator: '; ' })}\nbody: ${JSON.stringify(res.json).slice(0, 1000)}`);
  }
}
