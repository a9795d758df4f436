import { toErrorView } from '../errors';
import { CompiledBundle } from './bundle';
import { CompiledOperation } from './compile-operation';

export interface DryRunSample {
  label?: string;
  /** Canonical request (what a service sends). */
  request?: unknown;
  /** Back-office response body (what the adapter returns). */
  response?: unknown;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } } | { ok: false; missing: true };

export interface DryRunSampleResult {
  label: string;
  current: { request?: Outcome; response?: Outcome };
  draft: { request?: Outcome; response?: Outcome };
  /** Human-readable differences, `where: current → draft`. */
  differences: string[];
}

const CTX = { requestId: 'dry-run', now: new Date('2026-01-01T00:00:00Z') };

async function attempt(op: CompiledOperation | undefined, fn: (op: CompiledOperation) => unknown): Promise<Outcome> {
  if (!op) return { ok: false, missing: true };
  try {
    if (fn === undefined) return { ok: false, missing: true };
    return { ok: true, value: await fn(op) };
  } catch (err) {
    const view = toErrorView(err);
    return { ok: false, error: { code: view.code, message: view.message } };
  }
}

function describe(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** Paths where two JSON values differ, with both sides. */
export function jsonDifferences(a: unknown, b: unknown, where: string, out: string[] = [], limit = 200): string[] {
  if (out.length >= limit) return out;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => i)
      : [...new Set([...Object.keys(a), ...Object.keys(b as object)])].sort();
    for (const k of keys) {
      const child = Array.isArray(a) ? `${where}[${k}]` : `${where}.${k}`;
      jsonDifferences((a as Record<string, unknown>)[k as never], (b as Record<string, unknown>)[k as never], child, out, limit);
    }
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${where}: ${describe(a)} → ${describe(b)}`);
  return out;
}

/**
 * Runs samples through the current and the draft version of one operation
 * and lays the outputs side by side. Nothing is sent to a back office.
 */
export async function dryRunOperation(operation: string, current: CompiledBundle, draft: CompiledBundle, samples: DryRunSample[]): Promise<DryRunSampleResult[]> {
  const cur = current.operations.get(operation);
  const dra = draft.operations.get(operation);
  const results: DryRunSampleResult[] = [];
  for (const [i, sample] of samples.entries()) {
    const result: DryRunSampleResult = { label: sample.label ?? `sample ${i + 1}`, current: {}, draft: {}, differences: [] };
    if (sample.request !== undefined) {
      const run = (op: CompiledOperation) => {
        op.validateInput(sample.request);
        return op.buildRequest(sample.request, CTX);
      };
      result.current.request = await attempt(cur, run);
      result.draft.request = await attempt(dra, run);
      jsonDifferences(result.current.request, result.draft.request, 'request', result.differences);
    }
    if (sample.response !== undefined) {
      // the sample's request, if any, is what `$request.*` reads in the response map
      const run = (op: CompiledOperation) => op.interpretResponse(sample.response, { ...CTX, request: sample.request, operation });
      result.current.response = await attempt(cur, run);
      result.draft.response = await attempt(dra, run);
      jsonDifferences(result.current.response, result.draft.response, 'response', result.differences);
    }
    results.push(result);
  }
  return results;
}
