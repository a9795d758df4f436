import * as fs from 'fs';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    // fields after the command (which may hold spaces) start at state; utime and stime are fields 14 and 15
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Pids whose command name (comm) is `name`: every PostgreSQL backend, the NATS server… */
export function pidsNamed(name: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

/**
 * Where the CPU of a load run went: a snapshot of each named group of
 * processes before, and the per-request cost after. Groups are looked up
 * afresh at the end, so backends started during the run count too (from 0).
 */
export class CpuMeter {
  private before = new Map<number, number>();

  constructor(private readonly groups: Record<string, () => number[]>) {}

  start(): void {
    this.before.clear();
    for (const pids of Object.values(this.groups)) for (const pid of pids()) this.before.set(pid, cpuSecondsOf(pid));
  }

  /** Microseconds of CPU per request, per group, over `requests`. */
  perRequest(requests: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [label, pids] of Object.entries(this.groups)) {
      let used = 0;
      for (const pid of pids()) used += cpuSecondsOf(pid) - (this.before.get(pid) ?? 0);
      out[label] = requests > 0 ? Math.round((used * 1e6) / requests) : 0;
    }
    return out;
  }
}

/** `gateway 160 µs · services 210 µs · …` */
export function formatCpu(perRequest: Record<string, number>): string {
  const total = Object.values(perRequest).reduce((a, b) => a + b, 0);
  return `${Object.entries(perRequest)
    .filter(([, us]) => us > 0)
    .map(([label, us]) => `${label} ${us}`)
    .join(' · ')} · total ${total} µs CPU per request`;
}
