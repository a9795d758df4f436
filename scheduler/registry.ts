import { GridbusError } from '../core/errors';
import { JobKind } from './job-kind';
import { DEFAULT_TIME_ZONE, validateSchedule } from './schedule';

/** The job kinds a node knows, by name; a duplicate name or a bad default schedule is refused at start. */
export class JobRegistry {
  private readonly kinds = new Map<string, JobKind>();

  constructor(kinds: JobKind[] = []) {
    for (const k of kinds) this.register(k);
  }

  register(kind: JobKind): void {
    if (!/^[a-z][a-z0-9.-]{0,63}$/.test(kind.name)) throw new Error(`job kind name '${kind.name}' is not lower-case letters, digits, '.' and '-'`);
    if (this.kinds.has(kind.name)) throw new Error(`job kind '${kind.name}' is registered twice`);
    validateSchedule(kind.name, kind.defaultSchedule.cron, kind.defaultSchedule.timeZone ?? DEFAULT_TIME_ZONE);
    this.kinds.set(kind.name, kind);
  }

  get(name: string): JobKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new GridbusError('JOB_NOT_FOUND', `no job '${name}'; known: ${this.names().join(', ')}`, { details: { job: name } });
    return kind;
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }

  all(): JobKind[] {
    return this.names().map((n) => this.kinds.get(n)!);
  }
}
