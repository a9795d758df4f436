import { CliError } from './cli-error';

const REQUEST_TIMEOUT_MS = 60_000;

export interface BusAnswer {
  status: number;
  ok: boolean;
  payload: unknown;
}

interface ErrorPayload {
  code?: string;
  message?: string;
  details?: { problems?: unknown[] };
}

/** One request to `<bus>/admin/api/<route>`; a bus that cannot be reached is a CliError naming it. */
export async function requestBus(url: string, method: 'GET' | 'POST' | 'PATCH', route: string, opts: { token?: string; body?: unknown } = {}): Promise<BusAnswer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${url}/admin/api/${route}`, {
      method,
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach the bus at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let payload: unknown = {};
  try {
    payload = text ? JSON.parse(text) : {};
  } catch {
    payload = { message: text.slice(0, 200) };
  }
  return { status: res.status, ok: res.ok, payload };
}

/** The bus's refusal as one line: status, stable code, message (and a mapping set's problems). */
export function refusal(answer: BusAnswer): string {
  const p = answer.payload as ErrorPayload;
  const problems = Array.isArray(p.details?.problems) ? `\n${JSON.stringify(p.details!.problems, null, 2)}` : '';
  return `${answer.status} ${p.code ?? ''}: ${p.message ?? 'request failed'}${problems}`;
}
