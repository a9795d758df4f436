import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** The Alipay open-platform settings, keys normalised to PEM (PKCS#8 private, SPKI public). */
export interface AlipayConfig {
  /** The OpenAPI gateway (`…/gateway.do`); null = the in-process simulator when simulators are allowed. */
  gatewayUrl: string | null;
  appId: string | null;
  /** Our application private key: signs our requests and the life-number gateway answers. */
  appPrivateKey: string | null;
  /** Our application public key, published by `verifygw`; derived from the private key when not set. */
  appPublicKey: string | null;
  /** Alipay's public key: verifies Alipay's responses, notifications and gateway calls. */
  alipayPublicKey: string | null;
  /** Addresses (IPs or CIDR blocks) allowed to call `/alipay/*`. */
  allow: string[];
}

/** Loopback only until an operator lists Alipay's notification addresses. */
export const DEFAULT_ALIPAY_ALLOW = ['127.0.0.1/32', '::1/128'];

type Fail = (key: string, message: string) => never;

/** A value given inline (`KEY`) or in a file (`KEY_FILE`), never both. Values are never echoed. */
function inlineOrFile(raw: Record<string, unknown>, key: string, cwd: string, fail: Fail): string | null {
  const inline = raw[key] as string | undefined;
  const file = raw[`${key}_FILE`] as string | undefined;
  if (inline !== undefined && file !== undefined) fail(key, `Invalid configuration: set ${key} or ${key}_FILE, not both`);
  if (file === undefined) return inline ?? null;
  const resolved = path.resolve(cwd, file);
  try {
    return fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    return fail(`${key}_FILE`, `Invalid configuration: ${key}_FILE: cannot read ${resolved}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** PEM of any usual kind, or the bare base64 text the Alipay console shows (PKCS#8 or PKCS#1 DER). */
function parseKey(text: string, kind: 'private' | 'public'): KeyObject | null {
  const trimmed = text.trim();
  const attempts: Array<() => KeyObject> = [];
  if (trimmed.startsWith('-----BEGIN')) {
    attempts.push(() => (kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed)));
  } else {
    const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
    if (kind === 'private') {
      attempts.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      attempts.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
    } else {
      attempts.push(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
      attempts.push(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
    }
  }
  for (const attempt of attempts) {
    try {
      const key = attempt();
      return key.asymmetricKeyType === 'rsa' ? key : null;
    } catch {
      // next form
    }
  }
  return null;
}

function signsConsistently(key: KeyObject): boolean {
  try {
    const probe = Buffer.from('gridbus key check');
    return verify('sha256', probe, createPublicKey(key), sign('sha256', probe, key));
  } catch {
    return false;
  }
}

function keyPem(raw: Record<string, unknown>, key: string, kind: 'private' | 'public', cwd: string, fail: Fail): string | null {
  const text = inlineOrFile(raw, key, cwd, fail);
  if (text === null) return null;
  const parsed = parseKey(text, kind);
  const source = raw[`${key}_FILE`] !== undefined ? `${key}_FILE` : key;
  if (!parsed) {
    fail(source, `Invalid configuration: ${source} must hold an RSA ${kind} key, PEM or the base64 text of the Alipay console (got a value of ${text.length} characters, not shown)`);
  }
  const bits = parsed!.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) fail(source, `Invalid configuration: ${source} must be an RSA key of at least 2048 bits for RSA2 (got ${bits} bits)`);
  // A damaged key (a bad copy and paste) may still parse: sign once and check it.
  if (kind === 'private' && !signsConsistently(parsed!)) {
    fail(source, `Invalid configuration: ${source} is a damaged RSA private key: its signatures do not verify with its own public key`);
  }
  return kind === 'private'
    ? (parsed!.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (parsed!.export({ type: 'spki', format: 'pem' }) as string);
}

function allowList(text: string | undefined, fail: Fail): string[] {
  if (text === undefined) return [...DEFAULT_ALIPAY_ALLOW];
  // `any` / `none` as in the other GATEWAY_*_ALLOW keys.
  if (text.trim() === 'none') return [];
  if (text.trim() === 'any') return ['0.0.0.0/0', '::/0'];
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [ip, bits, extra] = entry.split('/');
    const family = net.isIP(ip);
    const max = family === 6 ? 128 : 32;
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!family || !prefixOk || extra !== undefined) {
      fail('GATEWAY_ALIPAY_ALLOW', `Invalid configuration: GATEWAY_ALIPAY_ALLOW must be any, none, or comma-separated IP addresses or CIDR blocks such as 110.75.0.0/16,127.0.0.1 (got ${JSON.stringify(entry)})`);
    }
  }
  return entries;
}

/**
 * The ALIPAY_* keys and GATEWAY_ALIPAY_ALLOW, already schema-checked as strings.
 * Key material is parsed here so that a wrong key stops the start naming the
 * key, and never appears in a message.
 */
export function readAlipayConfig(raw: Record<string, unknown>, cwd: string, fail: Fail): AlipayConfig {
  const appPrivateKey = keyPem(raw, 'ALIPAY_APP_PRIVATE_KEY', 'private', cwd, fail);
  let appPublicKey = keyPem(raw, 'ALIPAY_APP_PUBLIC_KEY', 'public', cwd, fail);
  if (appPrivateKey) {
    const derived = createPublicKey(appPrivateKey).export({ type: 'spki', format: 'pem' }) as string;
    if (appPublicKey && appPublicKey !== derived) {
      fail('ALIPAY_APP_PUBLIC_KEY', 'Invalid configuration: ALIPAY_APP_PUBLIC_KEY does not belong to ALIPAY_APP_PRIVATE_KEY (it would publish a key Alipay cannot verify our signatures with)');
    }
    appPublicKey = derived;
  }
  return {
    gatewayUrl: (raw.ALIPAY_GATEWAY_URL as string | undefined) ?? null,
    appId: (raw.ALIPAY_APP_ID as string | undefined) ?? null,
    appPrivateKey,
    appPublicKey,
    alipayPublicKey: keyPem(raw, 'ALIPAY_PUBLIC_KEY', 'public', cwd, fail),
    allow: allowList(raw.GATEWAY_ALIPAY_ALLOW as string | undefined, fail),
  };
}
