import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../config';
import { ERROR_CODES, isErrorCode } from '../../../core/errors/codes';
import { loadLifeNumberSpec, OpenApiDocument, OPENAPI_DIR } from '../../../core/openapi/life-number-spec';
import { apiV1Route } from '../../../services/gateway/routes/api-v1.route';
import { userSessionRoute } from '../../../services/gateway/routes/session.route';
import { API_ROUTE_SETS } from '../../../services/route-sets';
import { openApiAjv, pointer, resolveResponse } from '../../helpers/contract';
import { TEST_JWT_ENV } from '../../helpers/env';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const SPEC_ID = 'https://gridbus.invalid/openapi/life-number-unit';
const TEST_DIR = path.resolve(__dirname, '../..');

type Json = Record<string, unknown>;
type Operation = { responses?: Record<string, Json>; parameters?: Json[]; requestBody?: Json; security?: unknown[] };

/** Every operation of the document as `'GET /api/v1/…'` with its object. */
function operationsOf(doc: OpenApiDocument): Array<{ name: string; path: string; method: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ name: `${m.toUpperCase()} ${p}`, path: p, method: m, op: op as Operation })),
  );
}

/** Every `$ref` string in the document, with where it sits. */
function refsOf(node: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (Array.isArray(node)) return node.flatMap((v, i) => refsOf(v, `${at}/${i}`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Json).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [{ at, ref: v }] : refsOf(v, `${at}/${pointer(k)}`)));
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

/** A moleculer-web alias (`'GET accounts/:accountNo/arrears'`) under its route's path, as an OpenAPI operation name. */
function operationOfAlias(routePath: string, alias: string): string {
  const match = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)$/.exec(alias);
  if (!match) throw new Error(`alias '${alias}' of ${routePath} names no single HTTP method: the contract check cannot map it`);
  const full = `${routePath}/${match[2].replace(/^\/+/, '')}`.replace(/\/+$/, '').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return `${match[1]} ${full}`;
}

function testSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return testSources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The literal operations of every `expectContract(…, 'METHOD /api/v1/…')` call under test/. */
function checkedOperations(): Set<string> {
  const out = new Set<string>();
  const call = /expectContract\(([^;]*?)(['"`])((?:GET|POST|PUT|PATCH|DELETE) \/api\/v1[^'"`$]*)\2\s*,?\s*\)/g;
  for (const file of testSources(TEST_DIR)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(call)) out.add(m[3]);
  }
  return out;
}

/** The error codes a response schema allows (`code: { const }` or `{ enum }`), through $ref, allOf, oneOf and anyOf. */
function codesOf(doc: OpenApiDocument, schema: unknown, seen = new Set<unknown>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as Json;
  const here: string[] = [];
  const code = (s.properties as Json | undefined)?.code as Json | undefined;
  if (code?.const !== undefined) here.push(String(code.const));
  if (Array.isArray(code?.enum)) here.push(...(code.enum as unknown[]).map(String));
  const nested = [s.$ref ? resolvePointer(doc, s.$ref as string) : null, ...((s.allOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? []), ...((s.anyOf as unknown[]) ?? [])];
  return [...here, ...nested.flatMap((n) => codesOf(doc, n, seen))];
}

describe('openapi - the life-number contract (openapi/life-number.yaml and its parts)', () => {
  const doc = loadLifeNumberSpec();
  const operations = operationsOf(doc);

  describe('openapi - structure', () => {
    it('openapi - is an OpenAPI 3.1 document with info, bearerAuth and the one Error body', () => {
      expect(doc.openapi).to.match(/^3\.1\.\d+$/);
      expect((doc.info as Json)?.title).to.be.a('string');
      expect((doc.components.securitySchemes as Json)?.bearerAuth).to.include({ type: 'http', scheme: 'bearer' });
      expect(doc.components.schemas.Error).to.include({ type: 'object', additionalProperties: false });
      expect(operations.length).to.be.greaterThan(0);
    });

    it('openapi - every path is under /api/v1, every path parameter declared, every operation answers a 2xx and 401 unless public', () => {
      const problems: string[] = [];
      for (const { name, path: p, op } of operations) {
        if (!p.startsWith('/api/v1/')) problems.push(`${name}: not under /api/v1/`);
        const declared = new Set(
          (op.parameters ?? [])
            .map((prm) => (prm.$ref ? (resolvePointer(doc, prm.$ref as string) as Json) : prm))
            .filter((prm) => prm?.in === 'path')
            .map((prm) => prm.name as string),
        );
        for (const [, param] of p.matchAll(/\{([^}]+)\}/g)) if (!declared.has(param)) problems.push(`${name}: path parameter ${param} is not declared`);
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push(`${name}: no 2xx response`);
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (!isPublic && !statuses.includes('401')) problems.push(`${name}: needs a token but does not document 401`);
        if (statuses.includes('default')) problems.push(`${name}: a default response hides undocumented statuses; list them`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('openapi - every $ref resolves', () => {
      const dangling = refsOf(doc)
        .filter(({ ref }) => !ref.startsWith('#/') || resolvePointer(doc, ref) === undefined)
        .map(({ at, ref }) => `${at}: ${ref}`);
      expect(dangling).to.deep.equal([]);
    });

    it('openapi - every JSON response has a schema that compiles (ajv 2020) and an example that validates against it; others a schema, or no body on 204/304', () => {
      const ajv = openApiAjv();
      ajv.addSchema({ ...doc, $id: SPEC_ID });
      const problems: string[] = [];
      for (const { name, path: p, method, op } of operations) {
        for (const [status, declared] of Object.entries(op.responses ?? {})) {
          const { at, response } = resolveResponse(doc, pointer('paths', p, method, 'responses', status), declared);
          const contents = (response.content ?? {}) as Record<string, { schema?: unknown; example?: unknown; examples?: Record<string, { value?: unknown }> }>;
          const media = contents['application/json'];
          if (!media) {
            // no body only where HTTP has none; another media type (an image) needs at least its schema
            if (!Object.keys(contents).length && !['204', '304'].includes(status)) problems.push(`${name} ${status}: no content documented`);
            for (const [type, other] of Object.entries(contents)) if (!other.schema) problems.push(`${name} ${status}: ${type} without a schema`);
            continue;
          }
          if (!media.schema) {
            problems.push(`${name} ${status}: application/json without a schema`);
            continue;
          }
          let validate;
          try {
            validate = ajv.compile({ $ref: `${SPEC_ID}#/${at}/${pointer('content', 'application/json', 'schema')}` });
          } catch (err) {
            problems.push(`${name} ${status}: schema does not compile: ${(err as Error).message}`);
            continue;
          }
          const examples = media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value);
          if (!examples.length) problems.push(`${name} ${status}: no example`);
          for (const example of examples) if (!validate(example)) problems.push(`${name} ${status}: example does not match: ${ajv.errorsText(validate.errors)}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it('openapi - every request body has a schema, and a JSON one an example that validates against it', () => {
      const ajv = openApiAjv();
      ajv.addSchema({ ...doc, $id: SPEC_ID });
      const problems: string[] = [];
      for (const { name, path: p, method, op } of operations) {
        if (!op.requestBody) continue;
        const contents = (op.requestBody.content ?? {}) as Record<string, { schema?: unknown; example?: unknown }>;
        if (!Object.keys(contents).length) problems.push(`${name}: request body without content`);
        // another media type (multipart/form-data for an upload) needs its schema; its example is not JSON to check
        for (const [type, other] of Object.entries(contents)) if (!other.schema) problems.push(`${name}: request body ${type} without a schema`);
        const media = contents['application/json'];
        if (!media?.schema) continue;
        const validate = ajv.compile({ $ref: `${SPEC_ID}#/${pointer('paths', p, method, 'requestBody', 'content', 'application/json', 'schema')}` });
        if (media.example === undefined) problems.push(`${name}: request body without an example`);
        else if (!validate(media.example)) problems.push(`${name}: request example does not match: ${ajv.errorsText(validate.errors)}`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('openapi - every error code a response names (code const or enum) exists in core/errors/codes.ts with that HTTP status', () => {
      const problems: string[] = [];
      for (const { name, path: p, method, op } of operations) {
        for (const [status, declared] of Object.entries(op.responses ?? {})) {
          if (!/^[45]\d\d$/.test(status)) continue;
          const { response } = resolveResponse(doc, pointer('paths', p, method, 'responses', status), declared);
          const schema = (response.content as Record<string, { schema?: unknown }> | undefined)?.['application/json']?.schema;
          // an error schema that names no codes (a bare Error) is allowed; the codes it names must be right
          const codes = codesOf(doc, schema);
          for (const code of codes) {
            if (!isErrorCode(code)) problems.push(`${name} ${status}: ${code} is not in core/errors/codes.ts`);
            else if (ERROR_CODES[code].status !== Number(status)) problems.push(`${name} ${status}: ${code} answers ${ERROR_CODES[code].status}, not ${status}`);
          }
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it('openapi - the response schemas catch drift: a body with a field the spec does not know is refused', () => {
      const ajv = openApiAjv();
      ajv.addSchema({ ...doc, $id: SPEC_ID });
      const arrears = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/Arrears` });
      const good = { accountNo: '3301000001', holderName: '张*', items: [{ billMonth: '202501', amountFen: 100, lateFeeFen: 0, status: 'UNPAID' }], totalFen: 100 };
      expect(arrears(good)).to.equal(true);
      expect(arrears({ ...good, holderIdNumber: '330106199001010011' })).to.equal(false);
      expect(arrears({ ...good, totalFen: 1.5 }), 'money is integer fen').to.equal(false);
      const order = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/PaymentOrder` });
      const paid = { id: '1', outTradeNo: 'P1', kind: 'PAY', accountNo: '3301000001', amountFen: 1, state: 'PAID', tradeNo: null, refundedFen: 0, createdAt: '2026-12-05T06:49:27.661Z', expiresAt: '2026-12-05T07:04:27.661Z', paidAt: null };
      expect(order(paid)).to.equal(true);
      expect(order({ ...paid, reused: true }), 'reused belongs to the create answer only').to.equal(false);
      expect(order({ ...paid, userId: 'u' })).to.equal(false);
    });
  });

  describe('openapi - drift against the gateway routes', () => {
    const config = loadConfig({ ...TEST_JWT_ENV });
    const api = apiV1Route(config);
    const session = userSessionRoute(config);
    const routed = new Set([...Object.keys(api.aliases).map((a) => operationOfAlias(api.path, a)), ...Object.keys(session.aliases).map((a) => operationOfAlias(session.path, a))]);
    const documented = new Set(operations.map((o) => o.name));

    it('openapi - the plates\' route sets are all served under /api/v1', () => {
      const served = new Set(Object.keys(api.aliases));
      const missing = API_ROUTE_SETS.flatMap((set) => Object.keys(set.aliases)).filter((a) => !served.has(a));
      expect(missing).to.deep.equal([]);
    });

    it('openapi - every /api/v1 and /api/v1/session alias is documented', () => {
      const undocumented = [...routed].filter((o) => !documented.has(o)).sort();
      expect(undocumented, 'routes missing from openapi/life-number.yaml (or a part): document them').to.deep.equal([]);
    });

    it('openapi - every documented operation is a real alias', () => {
      const phantom = [...documented].filter((o) => !routed.has(o)).sort();
      expect(phantom, 'operations in the spec that no route serves').to.deep.equal([]);
    });

    it('openapi - every documented operation is checked by an expectContract call under test/', () => {
      const checked = checkedOperations();
      const unchecked = [...documented].filter((o) => !checked.has(o)).sort();
      expect(unchecked, "operations no test validates a real response of: add expectContract(res, 'METHOD /api/v1/…')").to.deep.equal([]);
      const unknown = [...checked].filter((o) => !documented.has(o)).sort();
      expect(unknown, 'expectContract calls naming an operation the spec does not have').to.deep.equal([]);
    });

    it('openapi - the alias translation: :param becomes {param}, the route root has no trailing slash', () => {
      expect(operationOfAlias('/api/v1', 'GET accounts/:accountNo/arrears')).to.equal('GET /api/v1/accounts/{accountNo}/arrears');
      expect(operationOfAlias('/api/v1/session', 'POST /')).to.equal('POST /api/v1/session');
      expect(() => operationOfAlias('/api/v1', 'REST things')).to.throw(/names no single HTTP method/);
    });
  });

  describe('openapi - the loader merges parts', () => {
    let dir: string;
    const base = fs.readFileSync(path.join(OPENAPI_DIR, 'life-number.yaml'), 'utf8');
    const part = (name: string, text: string) => fs.writeFileSync(path.join(dir, 'parts', name), text);
    const thing = (p: string, schema = 'Thing') => `paths:\n  ${p}:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/${schema}' }\n`;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-openapi-'));
      fs.mkdirSync(path.join(dir, 'parts'));
      fs.writeFileSync(path.join(dir, 'life-number.yaml'), base);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('openapi - a part adds its paths and schemas to the base', () => {
      part('things.yaml', `${thing('/api/v1/things')}components:\n  schemas:\n    Thing: { type: object }\n`);
      const merged = loadLifeNumberSpec(dir);
      expect(merged.paths['/api/v1/things']).to.have.property('get');
      expect(merged.components.schemas.Thing).to.deep.equal({ type: 'object' });
      expect(merged.components.schemas.Error, 'the base stays').to.exist;
    });

    it('openapi - a path defined twice is refused, naming the part and the path', () => {
      part('a.yaml', thing('/api/v1/things'));
      part('b.yaml', thing('/api/v1/things'));
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/b.yaml: path /api/v1/things is already defined');
    });

    it('openapi - a part redefining a path of the base is refused', () => {
      part('a.yaml', thing('/api/v1/bindings'));
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/a.yaml: path /api/v1/bindings is already defined');
    });

    it('openapi - a schema or response defined twice is refused (a part cannot replace the base Error)', () => {
      part('a.yaml', `components:\n  schemas:\n    Error: { type: object }\n`);
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/a.yaml: schema Error is already defined');
      fs.rmSync(path.join(dir, 'parts', 'a.yaml'));
      part('c.yaml', `components:\n  responses:\n    Unauthorized: { description: x }\n`);
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/c.yaml: response Unauthorized is already defined');
    });

    it('openapi - a part outside /api/v1 or with other keys is refused', () => {
      part('a.yaml', thing('/admin/api/things'));
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/a.yaml: path /admin/api/things is not under /api/v1/');
      fs.rmSync(path.join(dir, 'parts', 'a.yaml'));
      part('b.yaml', `info: { title: mine }\n`);
      expect(() => loadLifeNumberSpec(dir)).to.throw('openapi/parts/b.yaml: a part holds only paths and components, not info');
    });
  });
});
