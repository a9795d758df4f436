import { DataSource } from 'typeorm';
import { maskDeep } from '../crypto';
import { AuditLogEntry, AuditOutcome } from '../db/entities/audit-log.entity';

export interface AuditEvent {
  actor: string;
  action: string;
  outcome: AuditOutcome;
  target?: string | null;
  sourceIp?: string | null;
  requestId?: string | null;
  nodeId?: string | null;
  details?: Record<string, unknown> | null;
}

/** Appends audit entries; personal data in details is masked before it is stored. */
export class AuditWriter {
  constructor(private readonly dataSource: DataSource) {}

  async record(event: AuditEvent): Promise<AuditLogEntry> {
    const repo = this.dataSource.getRepository(AuditLogEntry);
    const entry = repo.create({
      actor: event.actor,
      action: event.action,
      outcome: event.outcome,
      target: event.target ?? null,
      sourceIp: event.sourceIp ?? null,
      requestId: event.requestId ?? null,
      nodeId: event.nodeId ?? null,
      details: event.details ? (maskDeep(event.details) as Record<string, unknown>) : null,
    });
    return repo.save(entry);
  }
}
