import { DataSource } from 'typeorm';
import { Batcher } from '../batching';

/** One back-office exchange as recorded for operators and dry-runs; already masked. */
export interface ExchangeRecord {
  at: string;
  operation: string;
  mappingVersion: string;
  requestId?: string | null;
  nodeId?: string | null;
  outcome: string;
  durationMs?: number | null;
  canonicalRequest?: unknown;
  backofficeRequest?: unknown;
  backofficeResponse?: unknown;
  canonicalResponse?: unknown;
  rawRequest?: string | null;
  rawResponse?: string | null;
}

const COLUMNS = 13;
const FLUSH_EVERY_MS = 200;
const MAX_BATCH = 500;

/**
 * Buffers exchange records and writes them in multi-row INSERTs off the hot
 * path; keeps the newest `keepPerOperation` rows of each operation.
 */
export class MessageLogStore {
  private readonly batcher: Batcher<ExchangeRecord>;
  private writesSincePrune = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly options: { keepPerOperation?: number; onError?: (err: Error) => void } = {},
  ) {
    this.batcher = new Batcher({ write: (batch) => this.write(batch), maxBatch: MAX_BATCH, maxDelayMs: FLUSH_EVERY_MS, onError: (err) => this.options.onError?.(err) });
  }

  add(record: ExchangeRecord): void {
    this.batcher.add(record);
  }

  /** Writes what is buffered; resolves when it is stored. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async lastOf(operation: string, limit: number): Promise<ExchangeRecord[]> {
    await this.flush();
    const rows = await this.ds.query(
      `SELECT at, operation, mapping_version, request_id, node_id, outcome, duration_ms, canonical_request, backoffice_request,
              backoffice_response, canonical_response, raw_request, raw_response
         FROM message_log WHERE operation = $1 ORDER BY id DESC LIMIT $2`,
      [operation, limit],
    );
    return rows.map((r: Record<string, unknown>) => ({
      at: (r.at as Date).toISOString(),
      operation: r.operation as string,
      mappingVersion: r.mapping_version as string,
      requestId: r.request_id as string | null,
      nodeId: r.node_id as string | null,
      outcome: r.outcome as string,
      durationMs: r.duration_ms as number | null,
      canonicalRequest: r.canonical_request,
      backofficeRequest: r.backoffice_request,
      backofficeResponse: r.backoffice_response,
      canonicalResponse: r.canonical_response,
      rawRequest: r.raw_request as string | null,
      rawResponse: r.raw_response as string | null,
    }));
  }

  private async write(batch: ExchangeRecord[]): Promise<void> {
    const values: unknown[] = [];
    const rows = batch.map((r, i) => {
      values.push(
        r.at, r.operation, r.mappingVersion, r.requestId ?? null, r.nodeId ?? null, r.outcome, r.durationMs ?? null,
        json(r.canonicalRequest), json(r.backofficeRequest), json(r.backofficeResponse), json(r.canonicalResponse),
        r.rawRequest ?? null, r.rawResponse ?? null,
      );
      return `(${Array.from({ length: COLUMNS }, (_, j) => `$${i * COLUMNS + j + 1}`).join(', ')})`;
    });
    await this.ds.query(
      `INSERT INTO message_log (at, operation, mapping_version, request_id, node_id, outcome, duration_ms, canonical_request,
         backoffice_request, backoffice_response, canonical_response, raw_request, raw_response) VALUES ${rows.join(', ')}`,
      values,
    );
    this.writesSincePrune += batch.length;
    if (this.writesSincePrune >= 1000) {
      this.writesSincePrune = 0;
      await this.prune();
    }
  }

  private async prune(): Promise<void> {
    const keep = this.options.keepPerOperation ?? 1000;
    await this.ds.query(
      `DELETE FROM message_log m USING (
         SELECT operation, (SELECT id FROM message_log x WHERE x.operation = o.operation ORDER BY id DESC OFFSET $1 LIMIT 1) AS cutoff
           FROM (SELECT DISTINCT operation FROM message_log) o) c
       WHERE m.operation = c.operation AND c.cutoff IS NOT NULL AND m.id <= c.cutoff`,
      [keep],
    );
  }
}

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}
