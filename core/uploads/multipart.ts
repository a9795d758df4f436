import Busboy from '@fastify/busboy';
import type { Readable } from 'stream';
import { GridbusError } from '../errors';

export interface MultipartLimits {
  /** Bytes of one file. */
  fileBytes: number;
  /** Files in one request. */
  files: number;
  /** Bytes of one text field. */
  fieldBytes: number;
  /** Text fields in one request. */
  fields: number;
}

export interface UploadedFile {
  field: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** RFC 2046: the first line of a multipart body is `--` and the boundary (1-70 characters), maybe followed by blanks. */
const FIRST_LINE = /^--([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])[ \t]*$/;
const MAX_FIRST_LINE = 128;

const tooLarge = (what: string, limit: number, unit: string) =>
  new GridbusError('PAYLOAD_TOO_LARGE', `${what} (at most ${limit} ${unit})`, { details: { limit } });
const malformed = (why: string) => new GridbusError('MALFORMED_REQUEST', `The multipart/form-data body cannot be read: ${why}`);

/**
 * Reads a multipart/form-data body into memory within `limits` (files are
 * small photos; they are checked whole before anything is stored). The
 * boundary is read from the body's first line, so the reader needs no
 * request headers: the gateway hands the action the body as a stream,
 * which carries none when it crosses the transporter. Over a limit →
 * PAYLOAD_TOO_LARGE; a body that is not multipart → MALFORMED_REQUEST. On
 * failure the rest of the body is drained, never left hanging.
 */
export function readMultipart(body: Readable, limits: MultipartLimits): Promise<MultipartForm> {
  return new Promise<MultipartForm>((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0) as Buffer;
    let busboy: Busboy | null = null;
    let form: { result: Promise<MultipartForm>; fail(err: GridbusError): void } | null = null;
    let done = false;
    const stop = (err: GridbusError) => {
      if (done) return;
      done = true;
      // the rest of the body is read and dropped, so the answer reaches a client still sending
      body.off('data', onData);
      body.on('data', () => undefined);
      body.resume();
      reject(err);
    };
    const onData = (chunk: Buffer | string) => {
      if (done) return;
      let data: Buffer = Buffer.from(chunk);
      if (head) {
        head = Buffer.concat([head, data]);
        const eol = head.indexOf('\r\n');
        if (eol < 0) {
          if (head.length > MAX_FIRST_LINE) stop(malformed('the body does not start with a boundary line'));
          return;
        }
        const boundary = FIRST_LINE.exec(head.toString('latin1', 0, eol))?.[1];
        if (!boundary) return stop(malformed('the body does not start with a boundary line'));
        data = head;
        head = null;
        busboy = new Busboy({
          headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
          limits: { files: limits.files, fileSize: limits.fileBytes, fields: limits.fields, fieldSize: limits.fieldBytes, parts: limits.files + limits.fields },
        });
        form = collect(busboy, limits, stop);
        form.result.then((f) => {
          if (done) return;
          done = true;
          resolve(f);
        }, stop);
        busboy.on('drain', () => body.resume());
      }
      if (!busboy!.write(data)) body.pause();
    };
    body.on('data', onData);
    body.on('end', () => {
      if (done) return;
      if (!busboy) return stop(malformed('the body is empty or has no boundary line'));
      busboy.end();
    });
    body.on('error', (err) => stop(malformed(err.message)));
    // a caller that peeked at the body left it paused
    body.resume();
  });
}

/** Collects one form's fields and files; `stop` is called at the first limit passed. */
function collect(busboy: Busboy, limits: MultipartLimits, stop: (err: GridbusError) => void): { result: Promise<MultipartForm>; fail(err: GridbusError): void } {
  const form: MultipartForm = { fields: {}, files: [] };
  const pending: Array<Promise<void>> = [];
  busboy.on('file', (field: string, stream: Readable) => {
    const chunks: Buffer[] = [];
    pending.push(
      new Promise<void>((resolve) => {
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => stop(tooLarge('A photo is larger than allowed', limits.fileBytes, 'bytes')));
        stream.on('end', () => {
          if (!(stream as Readable & { truncated?: boolean }).truncated) form.files.push({ field, data: Buffer.concat(chunks) });
          resolve();
        });
        stream.on('error', () => resolve());
      }),
    );
  });
  busboy.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
    if (valueTruncated) return stop(tooLarge(`The field ${name.slice(0, 40)} is longer than allowed`, limits.fieldBytes, 'bytes'));
    if (Object.prototype.hasOwnProperty.call(form.fields, name)) return stop(new GridbusError('VALIDATION_FAILED', `The field ${name.slice(0, 40)} is given twice`));
    form.fields[name] = value;
  });
  busboy.on('filesLimit', () => stop(tooLarge('Too many photos', limits.files, 'photos')));
  busboy.on('fieldsLimit', () => stop(tooLarge('Too many form fields', limits.fields, 'fields')));
  busboy.on('partsLimit', () => stop(tooLarge('Too many parts', limits.files + limits.fields, 'parts')));
  const result = new Promise<MultipartForm>((resolve, reject) => {
    busboy.on('finish', () => Promise.all(pending).then(() => resolve(form), reject));
    busboy.on('error', (err: Error) => reject(malformed(err.message)));
  });
  return { result, fail: stop };
}
