/** Why the embedded PostgreSQL could not be prepared, started or stopped (stable, for tests and scripts). */
export type EmbeddedDatabaseFailure = 'os-user' | 'unreachable' | 'binaries' | 'data-dir' | 'initdb' | 'port-in-use' | 'start' | 'in-use';

/**
 * A start-up failure of the embedded default. Its message is one line that
 * names the cause and the fix; the CLI prints it and exits non-zero.
 */
export class EmbeddedDatabaseError extends Error {
  constructor(
    readonly reason: EmbeddedDatabaseFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}
