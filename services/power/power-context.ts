import * as path from 'path';
import { Context } from 'moleculer';
import { DataSource } from 'typeorm';
import { GridbusConfig } from '../../config';
import { PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { SqlRunner } from '../../core/outbox/outbox-writer';
import { UploadStore } from '../../core/uploads/upload-store';

export type Meta = { user?: { id: string } | null; clientIp?: string | null; $statusCode?: number; $params?: Record<string, unknown> };

/** What every group of power actions needs: the database, the PII cipher, the signed-in user, the audit trail. */
export interface PowerContext {
  ds: DataSource;
  cipher: PiiCipher;
  config: GridbusConfig;
  /** Photos, under VAR_DIR/uploads. */
  uploads: UploadStore;
  userOf(ctx: Context<unknown, Meta>): string;
  audit(ctx: Context<unknown, Meta>, action: string, target: string | null, details?: Record<string, unknown> | null, outcome?: 'success' | 'denied'): void;
  inTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

export function powerContext(ds: DataSource, cipher: PiiCipher, config: GridbusConfig): PowerContext {
  return {
    ds,
    cipher,
    config,
    uploads: new UploadStore(path.join(config.varDir, 'uploads')),
    userOf(ctx) {
      const id = ctx.meta.user?.id;
      if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
      return id;
    },
    audit(ctx, action, target, details = null, outcome = 'success') {
      ctx.emit('audit.event', { actor: ctx.meta.user?.id ?? 'system', action, outcome, target, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details });
    },
    inTransaction: (work) => ds.transaction((m) => work(m)),
  };
}
