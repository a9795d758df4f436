import { createHash, createHmac, timingSafeEqual } from 'crypto';

/**
 * OpenSSH known_hosts, as `ssh` reads it: `host[,host...] keytype base64key`,
 * `[host]:port` for ports other than 22, wildcards `*` `?`, negation `!`,
 * hashed names (`|1|salt|hash`, HashKnownHosts yes) and the `@revoked`
 * marker. `@cert-authority` lines are read but not used (no host
 * certificates here): such a host is "unknown".
 */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written. */
  hosts: string;
  keyType: string;
  key: Buffer;
  line: number;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!.slice(1);
      if (m !== 'revoked' && m !== 'cert-authority') return;
      marker = m;
    }
    if (fields.length < 3) return;
    const [hosts, keyType, b64] = fields;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) return;
    entries.push({ marker, hosts, keyType, key, line: i + 1 });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` for port 22, else `[host]:port`. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Does this entry's host field name `host` on `port`? */
export function hostFieldMatches(hosts: string, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let positive = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (wildcardToRegExp(pattern).test(name)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

export type HostKeyVerdict =
  | { ok: true; entry: KnownHostEntry }
  | { ok: false; reason: 'unknown' | 'mismatch' | 'revoked'; message: string };

export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer, source = 'known_hosts'): HostKeyVerdict {
  const name = knownHostName(host, port);
  const shown = `${keyTypeOf(key)} ${fingerprint(key)}`;
  for (const e of entries) {
    if (e.marker === 'revoked' && e.key.equals(key) && hostFieldMatches(e.hosts, host, port)) {
      return { ok: false, reason: 'revoked', message: `the host key of ${name} (${shown}) is marked @revoked in ${source} line ${e.line}` };
    }
  }
  const forHost = entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port));
  const match = forHost.find((e) => e.key.equals(key));
  if (match) return { ok: true, entry: match };
  if (forHost.length === 0) {
    return { ok: false, reason: 'unknown', message: `no entry for ${name} in ${source}: add the server's key (e.g. ssh-keyscan -p ${port} ${host}, after checking its fingerprint ${shown} with the server's operator)` };
  }
  return {
    ok: false,
    reason: 'mismatch',
    message: `the host key of ${name} (${shown}) does not match ${source} (line ${forHost.map((e) => e.line).join(', ')}): possible man-in-the-middle, or the server's key was changed`,
  };
}

/** ssh2's own default order of host-key algorithms. */
const DEFAULT_HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * The host-key algorithms to offer, most preferred first: those of the keys
 * known for this host first (as OpenSSH does), so that a server with several
 * host keys shows one we can check; then the usual others. Undefined when
 * nothing is known for the host (ssh2's default order is kept).
 */
export function hostKeyAlgorithmsFor(entries: KnownHostEntry[], host: string, port: number): string[] | undefined {
  const types = new Set(entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port)).map((e) => e.keyType));
  const preferred: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') preferred.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else if (DEFAULT_HOST_KEY_ALGORITHMS.includes(t) || t === 'ssh-dss') preferred.push(t);
  }
  if (!preferred.length) return undefined;
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
