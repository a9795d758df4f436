import type { Readable, Writable } from 'stream';
import { once } from 'events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { CompiledFileLayout, FileEvent, FileRecordParser } from '../mapping/files';
import { RECONCILIATION_RECORD, columnsOf, compileRecordCheck } from '../mapping/canonical';
import { fileError } from '../mapping/files/errors';
import { copyTextRow } from './copy-text';

export interface InboundFileMeta {
  name: string;
  size: number;
  mtime: number;
}

export interface IngestResult {
  fileId: string | null;
  /** True when this exact file (layout, name, size, mtime) was loaded before: nothing was written. */
  duplicate: boolean;
  lines: number;
  records: number;
  skipped: number;
}

/** The columns the canonical reconciliation record fills (docs/canonical-shapes.md), after the file's own. */
const CANONICAL = columnsOf(RECONCILIATION_RECORD);
const COLUMNS = ['file_id', 'line_no', ...CANONICAL.map((c) => c.column)];
const FIELDS = CANONICAL.map((c) => c.field);
const checkRecord = compileRecordCheck(RECONCILIATION_RECORD);

/**
 * Streams a reconciliation file into PostgreSQL: parse (layout from the
 * mapping set) → map to canonical details → COPY, in one transaction with the
 * file's own row. The totals check arrives after the last record; if it (or
 * any line) fails, the transaction rolls back and nothing of the file is kept.
 * Memory does not grow with the file: records flow through in batches.
 */
export async function ingestReconciliationFile(ds: DataSource, layout: CompiledFileLayout, input: Readable, meta: InboundFileMeta): Promise<IngestResult> {
  const pool = (ds.driver as unknown as { master: { connect(): Promise<PoolClient> } }).master;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query(
      `INSERT INTO inbound_file (layout, name, size, mtime) VALUES ($1, $2, $3, $4) ON CONFLICT (layout, name, size, mtime) DO NOTHING RETURNING id`,
      [layout.name, meta.name, meta.size, meta.mtime],
    );
    if (!inserted.rows.length) {
      await client.query('ROLLBACK');
      input.resume();
      return { fileId: null, duplicate: true, lines: 0, records: 0, skipped: 0 };
    }
    const fileId = String(inserted.rows[0].id);
    // A deep buffer keeps PostgreSQL busy while the next chunk is fetched and parsed.
    const copy = client.query(copyFrom(`COPY reconciliation_record (${COLUMNS.join(', ')}) FROM STDIN`, { highWaterMark: 8 * 2 ** 20 })) as unknown as Writable;
    const copied = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    // The parser is fed chunk by chunk and its events read synchronously: one
    // await per chunk, not per record (an async iterator per line halves the rate).
    const parser = new FileRecordParser(layout, { fileName: meta.name });
    const events: FileEvent[] = [];
    let records = 0;
    let summary: Extract<FileEvent, { kind: 'summary' }> | undefined;
    const drain = async () => {
      let text = '';
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        if (event.kind === 'detail') {
          const d = event.record;
          // A layout whose map misses a needed field fails here, naming it, not as a NOT NULL in PostgreSQL.
          const refused = checkRecord(d);
          if (refused) {
            throw fileError('bad-record', meta.name, event.lineNo, `layout ${layout.name}: ${refused.reason}`, { record: 'detail', layout: layout.name, field: refused.field });
          }
          const row: Array<string | number | null> = [fileId, event.lineNo];
          for (let f = 0; f < FIELDS.length; f++) row.push((d[FIELDS[f]] as string | number | null | undefined) ?? null);
          text += copyTextRow(row);
          records++;
        } else if (event.kind === 'summary') {
          summary = event;
        }
      }
      events.length = 0;
      if (text && !copy.write(text)) await once(copy, 'drain');
    };
    try {
      for await (const chunk of input) {
        parser.push(chunk as Buffer, events);
        await drain();
      }
      parser.end(events);
      await drain();
      copy.end();
      await copied;
    } catch (err) {
      input.destroy();
      copy.destroy();
      await copied.catch(() => undefined);
      throw err;
    }
    await client.query('UPDATE inbound_file SET lines = $2, records = $3 WHERE id = $1', [fileId, summary?.lines ?? null, records]);
    await client.query('COMMIT');
    return { fileId, duplicate: false, lines: summary?.lines ?? 0, records, skipped: summary?.skipped ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
