import * as net from 'net';

/**
 * Client addresses as the policies compare and count them: IPv4 dotted,
 * IPv6 in canonical compressed form, an IPv4-mapped IPv6 address
 * (`::ffff:10.1.2.3`, however written) as the IPv4 address it carries.
 * Anything else → null.
 */
export function normalizeIp(value: string | undefined | null): string | null {
  if (!value) return null;
  let v = value.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:51234" as some proxies write them
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  const zone = v.indexOf('%');
  if (zone > 0) v = v.slice(0, zone);
  const family = net.isIP(v);
  if (family === 4) return v;
  if (family !== 6) return null;
  const groups = ipv6Groups(v);
  if (!groups) return null;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  return compress(groups);
}

function ipv6Groups(v: string): number[] | null {
  let text = v.toLowerCase();
  // a trailing dotted quad becomes two groups
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : null;
}

/** RFC 5952: lower case, longest run (≥ 2) of zero groups as `::`. */
function compress(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A set of CIDR blocks (IPv4 and IPv6) answering "does this address belong?". */
export class CidrSet {
  private readonly list = new net.BlockList();
  /** Answers already worked out: BlockList.check builds a SocketAddress per call, and clients come back. */
  private readonly answers = new Map<string, boolean>();
  readonly size: number;

  /** Entries are config-validated (`isCidr`); a bare address is a /32 or /128. */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [ip, bits] = entry.split('/');
      const normal = normalizeIp(ip);
      if (!normal) throw new Error(`not an IP address or CIDR block: ${entry}`);
      const family = net.isIP(normal) === 6 ? 'ipv6' : 'ipv4';
      const max = family === 'ipv6' ? 128 : 32;
      // an IPv4-mapped block (::ffff:10.0.0.0/104) is its IPv4 block
      const prefix = bits === undefined ? max : net.isIP(ip) === 6 && family === 'ipv4' ? Math.max(0, Number(bits) - 96) : Number(bits);
      this.list.addSubnet(normal, prefix, family);
    }
    this.size = entries.length;
  }

  has(ip: string | null): boolean {
    if (!ip || this.size === 0) return false;
    const known = this.answers.get(ip);
    if (known !== undefined) return known;
    const family = net.isIP(ip);
    const answer = family !== 0 && this.list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
    // bounded: a flood of distinct addresses starts the memory afresh
    if (this.answers.size >= 10_000) this.answers.clear();
    this.answers.set(ip, answer);
    return answer;
  }
}
