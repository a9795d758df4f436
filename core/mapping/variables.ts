/**
 * `${NAME}` in a definition: hosts, secrets and key files live in each node's
 * configuration, never in the mapping set. A node's values come from
 * GRIDBUS_VAR_<NAME> and from the few settings that are variables under their
 * own name (config/variables.ts); a missing one is named with the setting
 * that fixes it, never substituted as an empty or half-resolved text.
 */
export type Variables = Record<string, string | undefined>;

/** The prefix of a variable in the environment or the config file. */
export const VARIABLE_PREFIX = 'GRIDBUS_VAR_';

const NODE = Symbol.for('gridbus.variables.node');
const HINTS = Symbol.for('gridbus.variables.hints');

/** A node's variables, remembering the node (and the setting for a name) for the messages. */
export function nodeVariables(values: Variables, nodeId: string, hints: Record<string, string> = {}): Variables {
  const out: Variables = { ...values };
  Object.defineProperty(out, NODE, { value: nodeId, enumerable: false });
  Object.defineProperty(out, HINTS, { value: hints, enumerable: false });
  return out;
}

/** `variable SFTP_PARTNER_HOST is not set on node worker-2: set GRIDBUS_VAR_SFTP_PARTNER_HOST`. */
export function unsetVariableMessage(variables: Variables, name: string): string {
  const node = (variables as Record<symbol, string | undefined>)[NODE];
  const hint = (variables as Record<symbol, Record<string, string> | undefined>)[HINTS]?.[name] ?? `${VARIABLE_PREFIX}${name}`;
  return `variable ${name} is not set${node ? ` on node ${node}` : ''}: set ${hint}`;
}

/** `${NAME}` or `${NAME:-default}` (the default may be empty). */
const REFERENCE = /\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}/g;

/** Every variable name a text refers to, in order of first use. */
export function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]))];
}

export function hasVariables(text: string): boolean {
  return variablesIn(text).length > 0;
}

export interface UnsetVariable {
  name: string;
  /** Dotted path of the value inside the definition. */
  path: string;
}

/**
 * Replaces every reference in the strings of `value` (deeply). A string that
 * was references only and now reads as an integer or true/false becomes that
 * number or boolean (`delay: ${POLL_MS}`). Unset names are collected, not
 * thrown: the caller reports them all at once.
 */
export function substituteVariables(value: unknown, variables: Variables, path = ''): { value: unknown; unset: UnsetVariable[] } {
  const unset: UnsetVariable[] = [];
  const walk = (v: unknown, where: string): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      const text = v.replace(REFERENCE, (_m, name: string, fallback: string | undefined) => {
        const got = variables[name];
        if (got !== undefined && got !== '') return got;
        if (fallback !== undefined) return fallback;
        unset.push({ name, path: where });
        return '';
      });
      if (v.replace(REFERENCE, '') === '') {
        if (/^-?\d+$/.test(text)) return Number(text);
        if (text === 'true' || text === 'false') return text === 'true';
      }
      return text;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${where}[${i}]`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, where ? `${where}.${k}` : k)]));
    }
    return v;
  };
  return { value: walk(value, path), unset };
}
