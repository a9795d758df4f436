import * as crypto from 'crypto';

/**
 * The simulator's own RSA2 code, written apart from adapters/alipay on
 * purpose: if both sides shared one implementation, a mistake in the string
 * to sign would be made twice and the round trip would still pass.
 */
export function signingString(params: Record<string, string>, omit: string[]): string {
  const pairs: string[] = [];
  for (const key of Object.keys(params).sort()) {
    if (omit.indexOf(key) >= 0) continue;
    const value = params[key];
    if (value === undefined || value === null || value.length === 0) continue;
    pairs.push(key + '=' + value);
  }
  return pairs.join('&');
}

export function sha256WithRsa(text: string, key: crypto.KeyObject): string {
  const signer = crypto.createSign('sha256');
  signer.update(Buffer.from(text, 'utf8'));
  return signer.sign(key).toString('base64');
}

export function checkSha256WithRsa(text: string, signature: string, key: crypto.KeyObject): boolean {
  try {
    const verifier = crypto.createVerify('sha256');
    verifier.update(Buffer.from(text, 'utf8'));
    return verifier.verify(key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Our PEM, or Alipay's bare base64 SPKI text. */
export function publicKeyFrom(text: string): crypto.KeyObject {
  const t = text.trim();
  if (t.startsWith('-----')) return crypto.createPublicKey(t);
  return crypto.createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
}

/** `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8, no daylight saving). */
export function chinaTime(at: Date = new Date()): string {
  const shifted = new Date(at.getTime() + 8 * 60 * 60 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${shifted.getUTCFullYear()}-${p(shifted.getUTCMonth() + 1)}-${p(shifted.getUTCDate())} ${p(shifted.getUTCHours())}:${p(shifted.getUTCMinutes())}:${p(shifted.getUTCSeconds())}`;
}
