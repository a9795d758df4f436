import { Readable } from 'stream';
import { CompiledFileLayout } from './compile-layout';
import { FileEvent, FileRecordParser, ParseOptions } from './record-parser';

/**
 * Streams a file through a layout. Events arrive in file order: `header`,
 * `detail` (one per record, with its line number), `skipped` (policy
 * skip-and-report), `trailer`, and last a `summary`.
 *
 * Nothing is buffered: records are yielded as they are read, so the totals
 * (count and sums against the header or trailer) can only be checked at the
 * end. A totals failure therefore arrives AFTER the records, as a thrown
 * GridbusError (BACKEND_BAD_RESPONSE, details.kind `totals-mismatch`).
 * Callers stage the records (a transaction, a staging table) and commit only
 * once the summary has arrived. The same holds for a bad line with the
 * `fail` policy and for a wrong encoding found part-way: the records before
 * the bad line are yielded, then the error is thrown.
 *
 * The readable is read only as fast as the consumer iterates; breaking out
 * of the loop (or an error) destroys it.
 */
export async function* parseFile(layout: CompiledFileLayout, readable: Readable, options: ParseOptions): AsyncGenerator<FileEvent, void, undefined> {
  const parser = new FileRecordParser(layout, options);
  const events: FileEvent[] = [];
  let failure: unknown;
  try {
    for await (const chunk of readable) {
      events.length = 0;
      try {
        parser.push(chunk as Buffer | string, events);
      } catch (err) {
        failure = err;
      }
      for (let i = 0; i < events.length; i++) yield events[i];
      if (failure !== undefined) throw failure;
    }
    events.length = 0;
    try {
      parser.end(events);
    } catch (err) {
      failure = err;
    }
    for (let i = 0; i < events.length; i++) yield events[i];
    if (failure !== undefined) throw failure;
  } finally {
    if (!readable.destroyed) readable.destroy();
  }
}
