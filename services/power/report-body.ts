import type { Readable } from 'stream';
import { unsafeParamProblems } from '../../core/broker/unsafe-params';
import { GridbusError } from '../../core/errors';
import { MultipartForm, MultipartLimits, readMultipart } from '../../core/uploads/multipart';

/** A report without photos may come as JSON: at most this many bytes (the JSON limit of /api/v1). */
export const JSON_REPORT_BYTES = 64 * 1024;

/** The first chunk of the body, put back (null: the body is empty). */
function peek(body: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      cleanup();
      body.pause();
      const buf = Buffer.from(chunk);
      body.unshift(buf);
      resolve(buf);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new GridbusError('MALFORMED_REQUEST', `The request body cannot be read: ${err.message}`));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}

function readAll(body: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    body.on('data', (c: Buffer | string) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(Buffer.from(c));
    });
    body.on('end', () => (over ? reject(new GridbusError('PAYLOAD_TOO_LARGE', `A report sent as JSON is at most ${limit} bytes; send photos as multipart/form-data`, { details: { limit } })) : resolve(Buffer.concat(chunks))));
    body.on('error', (err) => reject(new GridbusError('MALFORMED_REQUEST', `The request body cannot be read: ${err.message}`)));
    body.resume();
  });
}

/** A JSON report's fields as the form's text fields; prototype keys, NUL characters and non-scalar values refused (422). */
export function jsonReportFields(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GridbusError('VALIDATION_FAILED', 'A report sent as JSON is an object', { details: { problems: [{ field: '', type: 'object', message: 'the body must be a JSON object' }] } });
  const unsafe = unsafeParamProblems(value);
  if (unsafe.length) throw new GridbusError('VALIDATION_FAILED', 'Request parameters are invalid', { details: { problems: unsafe } });
  const fields: Record<string, string> = {};
  const problems: Array<{ field: string; type: string; message: string }> = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) fields[k] = String(v);
    else problems.push({ field: k.slice(0, 40), type: 'string', message: `${k.slice(0, 40)} must be a text or a number` });
  }
  if (problems.length) throw new GridbusError('VALIDATION_FAILED', `The report is not valid: ${problems.map((p) => p.message).join('; ')}`, { details: { problems } });
  return fields;
}

/**
 * The body of POST /api/v1/reports: multipart/form-data (with photos), or a
 * JSON object (a report without photos). Told apart by the first byte, as
 * the body travels without its headers (the gateway's hygiene policy has
 * already refused any other declared type).
 */
export async function readReportBody(body: Readable, limits: MultipartLimits): Promise<MultipartForm> {
  const first = await peek(body);
  if (!first) throw new GridbusError('MALFORMED_REQUEST', 'The request body is empty: send the report as multipart/form-data (or JSON without photos)');
  const text = first.toString('latin1').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    const raw = await readAll(body, JSON_REPORT_BYTES);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new GridbusError('MALFORMED_REQUEST', 'The request body is not valid JSON');
    }
    return { fields: jsonReportFields(parsed), files: [] };
  }
  return readMultipart(body, limits);
}
