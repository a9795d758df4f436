import { GridbusError } from '../../errors';

/**
 * What went wrong with a received file. The error code is BACKEND_BAD_RESPONSE
 * (the file came from another system and is not what was agreed); `kind`
 * tells the cases apart for logs, alerts and the caller's policy.
 */
export type FileProblem =
  | 'bad-record' // a line that does not fit its record type
  | 'bad-encoding' // bytes that are not in the declared encoding
  | 'totals-mismatch' // count or sum differs from the header / trailer
  | 'missing-record' // no header / trailer where the layout requires one
  | 'duplicate-record' // a second header / trailer
  | 'line-too-long' // no line end within the limit (binary or wrong layout)
  | 'too-many-bad-records' // skip-and-report gave up
  | 'bad-file-name'; // the name does not match the layout's pattern

export interface FileErrorDetails {
  file: string;
  /** 1-based line number; 0 when the problem is about the whole file */
  line: number;
  reason: string;
  kind: FileProblem;
  [extra: string]: unknown;
}

export function fileError(kind: FileProblem, file: string, line: number, reason: string, extra: Record<string, unknown> = {}): GridbusError {
  const where = line > 0 ? `${file}: line ${line}` : file;
  const details: FileErrorDetails = { file, line, reason, kind, ...extra };
  return new GridbusError('BACKEND_BAD_RESPONSE', `${where}: ${reason}`, { details });
}

/** Internal: a line does not fit; becomes a `bad-record` error or a `skipped` event. */
export class BadRecord extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BadRecord';
  }
}
