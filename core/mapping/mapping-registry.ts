import { CompiledBundle, MappingFiles, checksumOf, compileMappingFilesStrict } from './bundle';

export interface ActiveMappings {
  /** Release version, or 'local' when read from the directory before any release was known. */
  version: number | 'local';
  checksum: string;
  files: MappingFiles;
  bundle: CompiledBundle;
  activatedAt: Date;
}

/**
 * The mapping set a node runs with. Switching is one reference swap: a call
 * takes `current()` once when it starts and finishes on that version even if
 * a newer one is activated meanwhile.
 */
export class MappingRegistry {
  private active: ActiveMappings;
  private readonly listeners: Array<(a: ActiveMappings, previous: ActiveMappings) => void> = [];
  lastActivationError: string | null = null;

  constructor(
    private readonly variables: Record<string, string | undefined>,
    initial: { version: number | 'local'; files: MappingFiles },
    /** Systems whose operations this node runs; the others are not compiled here. */
    private readonly systems?: string[],
  ) {
    this.active = this.compile(initial.version, initial.files);
  }

  current(): ActiveMappings {
    return this.active;
  }

  /**
   * Compiles and switches to `files`. A set that does not compile here (say a
   * variable this node lacks) is refused and the node keeps what it had.
   * Older versions than the active one are ignored (events may arrive late).
   */
  activate(version: number, files: MappingFiles): { switched: boolean; active: ActiveMappings } {
    const cur = this.active;
    if (typeof cur.version === 'number' && version <= cur.version) return { switched: false, active: cur };
    let next: ActiveMappings;
    try {
      next = this.compile(version, files);
    } catch (err) {
      this.lastActivationError = `release ${version} refused: ${(err as Error).message}`;
      throw err;
    }
    this.lastActivationError = null;
    this.active = next;
    for (const listener of this.listeners) listener(next, cur);
    return { switched: true, active: next };
  }

  /** Compiles a set as this node would activate it (its variables and systems), without switching: a pre-publish check. */
  compileDraft(files: MappingFiles): CompiledBundle {
    return compileMappingFilesStrict(files, this.variables, { systems: this.systems });
  }

  /** Returns how to stop listening (a service destroyed and created again must not leave its listener). */
  onChange(listener: (a: ActiveMappings, previous: ActiveMappings) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private compile(version: number | 'local', files: MappingFiles): ActiveMappings {
    return { version, checksum: checksumOf(files), files, bundle: compileMappingFilesStrict(files, this.variables, { systems: this.systems }), activatedAt: new Date() };
  }
}
