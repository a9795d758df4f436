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
  private cached: { at: number; byName: Map<string, { idempotent: boolean }> } | null = null;

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

  private async load(): Promise<Map<string, { idempotent: boolean }> | null> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.byName;
    try {
      const active = (await this.broker.call('mappings.active', {}, { timeout: 5000 })) as { files: Files };
      const byName = new Map<string, { idempotent: boolean }>();
      for (const [file, text] of Object.entries(active.files ?? {})) {
        if (!file.startsWith('operations/')) continue;
        try {
          const def = YAML.parse(text) as { operation?: unknown; idempotent?: unknown } | null;
          if (def && typeof def.operation === 'string') byName.set(def.operation, { idempotent: def.idempotent === true });
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
