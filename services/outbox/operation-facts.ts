import { ServiceBroker } from 'moleculer';
import YAML from 'yaml';

type Files = Record<string, string>;

/**
 * What the active mapping release says of an operation the outbox delivers:
 * whether it exists and whether it is `idempotent: true` (a resend after an
 * unknown outcome is safe). Read from `mappings.active`, kept `ttlMs`; when
 * the release cannot be read the answer is "not known to be idempotent",
 * which never resends blindly.
 */
export class OperationFacts {
  private cached: { at: number; byName: Map<string, { idempotent: boolean; settleQuery?: string }> } | null = null;

  constructor(
    private readonly broker: ServiceBroker,
    private readonly ttlMs = 30000,
  ) {}

  /** Whether the active release defines the operation; null when the release cannot be read now. */
  async defines(operation: string): Promise<boolean | null> {
    const byName = await this.load();
    return byName ? byName.has(operation) : null;
  }

  async idempotent(operation: string): Promise<boolean> {
    const byName = await this.load();
    return byName?.get(operation)?.idempotent === true;
  }

  /** The query operation the mapping names to settle an unknown outcome (`settle.query`), if any. */
  async settleQuery(operation: string): Promise<string | undefined> {
    const byName = await this.load();
    return byName?.get(operation)?.settleQuery;
  }

  private async load(): Promise<Map<string, { idempotent: boolean; settleQuery?: string }> | null> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.byName;
    try {
      const active = (await this.broker.call('mappings.active', {}, { timeout: 5000 })) as { files: Files };
      const byName = new Map<string, { idempotent: boolean; settleQuery?: string }>();
      for (const [file, text] of Object.entries(active.files ?? {})) {
        if (!file.startsWith('operations/')) continue;
        try {
          const def = YAML.parse(text) as { operation?: unknown; idempotent?: unknown; settle?: { query?: unknown } } | null;
          const query = def?.settle?.query;
          if (def && typeof def.operation === 'string') byName.set(def.operation, { idempotent: def.idempotent === true, settleQuery: typeof query === 'string' ? query : undefined });
        } catch {
          // a file the release accepted always parses; skip anything else
        }
      }
      this.cached = { at: Date.now(), byName };
      return byName;
    } catch {
      return null;
    }
  }
}
