import Ajv from 'ajv';
import { ErrorCode, GridbusError, isErrorCode } from '../errors';
import { ResilienceOptions, mergeResilience, parseDuration, parseResilience } from '../resilience';
import { MappingCompileError } from './definition-errors';
import { CompileEnv, FieldMappingError, MappingContext, compileCondition, compileObject, isPromise } from './field-compiler';
import { Condition, Endpoint, OperationDefinition, RaiseRule } from './operation-definition';
import { compilePath } from './path';

/** `soap:Server`, `soapenv:Server` and `Server` are the same SOAP fault code: prefixes are only namespace aliases. */
function localName(code: string | undefined): string | undefined {
  return code === undefined ? undefined : code.slice(code.indexOf(':') + 1);
}

/** A back-office fault as adapters report it (BACKEND_FAULT details). */
export interface FaultInfo {
  faultcode?: string;
  faultstring?: string;
  /** HTTP status, for http endpoints. */
  httpStatus?: number;
}

/** An operation definition turned into plain functions, ready to run. */
export interface CompiledOperation {
  name: string;
  version: number;
  file: string;
  idempotent: boolean;
  endpoint: Endpoint;
  /** The endpoint's timeoutMs/retries shorthand under the `resilience:` block. */
  resilience: ResilienceOptions;
  /** In-memory answer cache, when the definition asks for one. */
  cache?: { ttlMs: number; maxEntries: number };
  validateInput(params: unknown): void;
  /** Synchronous unless the mapping uses `expr` (JSONata); callers `await` either way. */
  buildRequest(params: unknown, ctx: MappingContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  interpretResponse(body: unknown, ctx: MappingContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  translateFault(fault: FaultInfo): GridbusError | undefined;
}

const inputAjv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });

/** Compile errors inside a block are reported at their place in the file. */
function compileBlock(specs: OperationDefinition['request'], where: string, env: CompileEnv) {
  try {
    return compileObject(specs, '', env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw new MappingCompileError(`${where}.${err.where}`, err.what);
    throw err;
  }
}


function errorCodeOf(rule: RaiseRule, where: string): ErrorCode {
  if (!isErrorCode(rule.raise)) throw new MappingCompileError(`${where}.raise`, `'${rule.raise}' is not a known error code (see core/errors/codes.ts)`);
  return rule.raise;
}

export function compileOperation(def: OperationDefinition, file: string, env: CompileEnv = {}): CompiledOperation {
  let validate: ReturnType<typeof inputAjv.compile>;
  try {
    validate = inputAjv.compile(def.input ?? { type: 'object' });
  } catch (err) {
    throw new MappingCompileError('input', `is not a valid JSON Schema: ${(err as Error).message}`);
  }
  if (def.endpoint.adapter === 'http') {
    for (const key of Object.keys(def.request)) {
      if (!/^(path|query|headers|body)(\.|$)/.test(key)) {
        throw new MappingCompileError(`request.${key}`, 'an http request maps into path.*, query.*, headers.* or body.*');
      }
    }
  }
  let declared: ResilienceOptions;
  try {
    declared = parseResilience(def.resilience ?? {}, 'resilience');
  } catch (err) {
    const [where, ...what] = (err as Error).message.split(': ');
    throw new MappingCompileError(where, what.join(': '));
  }
  const resilience = mergeResilience(
    { timeout: def.endpoint.timeoutMs, retries: def.endpoint.retries !== undefined ? { max: def.endpoint.retries } : undefined },
    declared,
  );
  let cache: CompiledOperation['cache'];
  if (def.cache) {
    if (def.idempotent !== true) throw new MappingCompileError('cache', 'only an operation marked idempotent: true may be cached');
    cache = { ttlMs: parseDuration(def.cache.ttl, 'cache.ttl'), maxEntries: def.cache.maxEntries ?? 10_000 };
  }
  const buildRequest = compileBlock(def.request, 'request', env);
  const mapResponse = compileBlock(def.response.map, 'response.map', env);
  const success = def.response.success ? compileCondition(def.response.success) : () => true;
  const successPath = def.response.success?.path;
  const errorRules = (def.response.errors ?? []).map((rule, i) => ({
    test: compileCondition(rule.when),
    code: errorCodeOf(rule, `response.errors[${i}]`),
    rule,
  }));
  const faultRules = (def.faults ?? []).map((rule, i) => ({ code: errorCodeOf(rule, `faults[${i}]`), rule }));
  const name = def.operation;

  return {
    name,
    version: def.version,
    file,
    idempotent: def.idempotent === true,
    endpoint: def.endpoint,
    resilience,
    cache,
    validateInput(params) {
      if (!validate(params)) {
        const e = validate.errors![0];
        const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'request';
        throw new GridbusError('VALIDATION_FAILED', `${where} ${e.message}`, { details: { field: where } });
      }
    },
    buildRequest(params, ctx) {
      const fail = (err: unknown): never => {
        if (err instanceof FieldMappingError) {
          throw new GridbusError('VALIDATION_FAILED', `request field ${err.message}`, { details: { field: err.field } });
        }
        throw err;
      };
      try {
        const out = buildRequest(params, ctx);
        return isPromise(out) ? (out as Promise<Record<string, unknown>>).catch(fail) : out;
      } catch (err) {
        return fail(err);
      }
    },
    interpretResponse(body, ctx) {
      for (const { test, code, rule } of errorRules) {
        if (test(body)) {
          throw new GridbusError(code, rule.message ?? `${name} answered with ${code}`, { retryable: rule.retryable, publicMessage: rule.message !== undefined, details: { operation: name } });
        }
      }
      if (!success(body)) {
        const got = successPath ? String(compilePath(successPath)(body)) : 'unknown';
        throw new GridbusError('BACKEND_BAD_RESPONSE', `${name}: the back office answered with an unexpected result code ${got}`, { details: { operation: name, resultCode: got } });
      }
      const fail = (err: unknown): never => {
        if (err instanceof FieldMappingError) {
          throw new GridbusError('BACKEND_BAD_RESPONSE', `${name}: response field ${err.message}`, { details: { operation: name, field: err.field } });
        }
        throw err;
      };
      try {
        const out = mapResponse(body, ctx);
        return isPromise(out) ? (out as Promise<Record<string, unknown>>).catch(fail) : out;
      } catch (err) {
        return fail(err);
      }
    },
    translateFault(fault) {
      for (const { code, rule } of faultRules) {
        const m = rule.match;
        if (m.faultcode !== undefined && localName(m.faultcode) !== localName(fault.faultcode)) continue;
        if (m.faultstring !== undefined && !(fault.faultstring ?? '').includes(m.faultstring)) continue;
        if (m.status !== undefined && m.status !== fault.httpStatus) continue;
        return new GridbusError(code, rule.message ?? `${name}: back-office fault ${fault.faultcode ?? ''}: ${fault.faultstring ?? ''}`.trim(), {
          retryable: rule.retryable,
          publicMessage: rule.message !== undefined,
          details: { operation: name, faultcode: fault.faultcode },
        });
      }
      return undefined;
    },
  };
}
