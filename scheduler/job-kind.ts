import type { ServiceBroker } from 'moleculer';
import type { DataSource, EntityManager } from 'typeorm';
import type { GridbusConfig } from '../config';

/** Counts a run reports (rows deleted, rows rolled up, ...): written as its progress and outcome. */
export type JobCounts = Record<string, number>;

/** What a job kind gets for one run. */
export interface JobContext {
  /** Aborted when the node stops or this run lost its lease: stop work and return (or throw). */
  signal: AbortSignal;
  /** Records progress while running; refused (throws JOB_LEASE_LOST) once another node took the job over. */
  progress(counts: JobCounts): Promise<void>;
  /** The lease's fencing token of this run: pass it on to writes that must not outlive the lease. */
  fencingToken: string;
  /** Runs database writes in one transaction that holds the lease under this run's token (refused once it was taken over). */
  fenced<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** The job's parameters (job_schedule.params), as the operator set them. */
  params: Record<string, unknown>;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  deps: { dataSource: DataSource; config: GridbusConfig; broker: ServiceBroker };
}

export interface JobDefaults {
  /** A node-cron expression (5 or 6 fields: with seconds). */
  cron: string;
  /** IANA time zone; Asia/Shanghai when not said. */
  timeZone?: string;
  paused?: boolean;
  maxAttempts?: number;
  backoffMs?: number;
  missed?: 'skip' | 'catchUp';
  leaseMs?: number;
  params?: Record<string, unknown>;
}

/** One kind of scheduled job: one file under scheduler/jobs/ exports one. */
export interface JobKind {
  /** Stable name, as `gridbus jobs` and the job_schedule table know it. */
  name: string;
  description: string;
  defaultSchedule: JobDefaults;
  /** Does the work; its answer (counts) is the run's outcome. Throwing fails the run (retried per the schedule). */
  run(ctx: JobContext): Promise<JobCounts | void>;
}
