import { maskUrlSecretsDeep } from '../crypto/mask-url';

export type DependencyStatus = 'up' | 'down' | 'degraded' | 'disabled';

export interface DependencyHealth {
  status: DependencyStatus;
  detail?: string;
}

type Check = () => Promise<DependencyHealth> | DependencyHealth;

/**
 * The dependencies one node relies on (database, transporter, each adapter),
 * each with a check that must answer quickly. The health service reports them.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, Check>();

  register(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  /** A dependency that is gone (a channel left the mapping release). */
  unregister(name: string): void {
    this.checks.delete(name);
  }

  /**
   * Every dependency's answer, names and details with URL credentials masked
   * (an adapter is named by its URL; a detail may be an error message).
   */
  async report(timeoutMs = 2000): Promise<Record<string, DependencyHealth>> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<DependencyHealth>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
          timer.unref();
        });
        try {
          const result = await Promise.race([Promise.resolve().then(check), timeout]);
          return [name, result] as const;
        } catch (err) {
          return [name, { status: 'down', detail: (err as Error).message } as DependencyHealth] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return maskUrlSecretsDeep(Object.fromEntries(entries));
  }
}

/** `down` anywhere → down; `degraded` anywhere → degraded; `disabled` counts as fine. */
export function overallStatus(statuses: DependencyStatus[]): 'up' | 'degraded' | 'down' {
  if (statuses.includes('down')) return 'down';
  if (statuses.includes('degraded')) return 'degraded';
  return 'up';
}
