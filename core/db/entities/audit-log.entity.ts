import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'denied' | 'failure';

/** Who did what, when, from where, and how it ended. Append-only. */
@Entity({ name: 'audit_log' })
@Index('audit_log_at_idx', ['at'])
export class AuditLogEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  /** A user id, operator name, or `anonymous`. */
  @Column({ type: 'text' })
  actor!: string;

  /** Dotted verb such as `auth.token.rejected` or `mapping.publish`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ name: 'source_ip', type: 'text', nullable: true })
  sourceIp!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'node_id', type: 'text', nullable: true })
  nodeId!: string | null;

  /** Already masked by the writer: no personal data in clear. */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
