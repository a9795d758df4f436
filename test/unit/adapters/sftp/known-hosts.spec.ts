import { expect } from 'chai';
import { createHmac, generateKeyPairSync, randomBytes } from 'crypto';
import {
  fingerprint,
  hostFieldMatches,
  hostKeyAlgorithmsFor,
  keyTypeOf,
  parseKnownHosts,
  verifyHostKey,
} from '../../../../adapters/sftp/known-hosts';

/** An SSH wire-format ed25519 public key blob (what ssh2's hostVerifier receives). */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(type.length), type, len(raw.length), raw]);
}

const line = (hosts: string, key: Buffer) => `${hosts} ssh-ed25519 ${key.toString('base64')}`;

describe('adapters/sftp - known_hosts', () => {
  const k1 = ed25519Blob();
  const k2 = ed25519Blob();

  it('parses entries, skipping comments, blank and malformed lines; keeps markers', () => {
    const e = parseKnownHosts(['# comment', '', line('host1', k1), 'garbage', `@revoked * ssh-ed25519 ${k2.toString('base64')}`, '@unknown-marker x y z'].join('\n'));
    expect(e.map((x) => [x.hosts, x.marker, x.line])).to.deep.equal([
      ['host1', undefined, 3],
      ['*', 'revoked', 5],
    ]);
    expect(e[0].key.equals(k1)).to.equal(true);
    expect(keyTypeOf(k1)).to.equal('ssh-ed25519');
  });

  it('[host]:port entries match only that port; a bare host only port 22', () => {
    expect(hostFieldMatches('[127.0.0.1]:12222', '127.0.0.1', 12222)).to.equal(true);
    expect(hostFieldMatches('[127.0.0.1]:12222', '127.0.0.1', 22)).to.equal(false);
    expect(hostFieldMatches('127.0.0.1', '127.0.0.1', 12222)).to.equal(false);
    expect(hostFieldMatches('sftp.example,10.0.0.5', '10.0.0.5', 22)).to.equal(true);
  });

  it('wildcards and negation', () => {
    expect(hostFieldMatches('*.example.org', 'a.example.org', 22)).to.equal(true);
    expect(hostFieldMatches('*.example.org,!bad.example.org', 'bad.example.org', 22)).to.equal(false);
    expect(hostFieldMatches('[10.0.0.?]:2222', '10.0.0.7', 2222)).to.equal(true);
  });

  it('hashed host names (HashKnownHosts yes)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.1.2.3]:2222').digest();
    const field = `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
    expect(hostFieldMatches(field, '10.1.2.3', 2222)).to.equal(true);
    expect(hostFieldMatches(field, '10.1.2.3', 22)).to.equal(false);
  });

  it('verdicts - ok, mismatch (man-in-the-middle warning), unknown host, revoked key', () => {
    const entries = parseKnownHosts([line('[h]:2222', k1), `@revoked [r]:2222 ssh-ed25519 ${k2.toString('base64')}`, line('[r]:2222', k2)].join('\n'));
    expect(verifyHostKey(entries, 'h', 2222, k1).ok).to.equal(true);
    const mismatch = verifyHostKey(entries, 'h', 2222, k2, '/etc/kh');
    expect(mismatch).to.include({ ok: false, reason: 'mismatch' });
    expect((mismatch as { message: string }).message).to.contain('/etc/kh').and.contain(fingerprint(k2)).and.match(/man-in-the-middle/);
    expect(verifyHostKey(entries, 'other', 2222, k1)).to.include({ ok: false, reason: 'unknown' });
    expect(verifyHostKey(entries, 'r', 2222, k2)).to.include({ ok: false, reason: 'revoked' });
  });

  it('several keys for one host: any of them is accepted', () => {
    const entries = parseKnownHosts([line('h', k1), line('h', k2)].join('\n'));
    expect(verifyHostKey(entries, 'h', 22, k2).ok).to.equal(true);
  });

  it('offers the known key types first, as OpenSSH does', () => {
    const entries = parseKnownHosts(`h ssh-rsa ${k1.toString('base64')}\n`);
    const algos = hostKeyAlgorithmsFor(entries, 'h', 22)!;
    expect(algos.slice(0, 3)).to.deep.equal(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algos).to.include('ssh-ed25519');
    expect(hostKeyAlgorithmsFor(entries, 'other', 22)).to.equal(undefined);
  });

  it('fingerprints look like OpenSSH (SHA256:base64 without padding)', () => {
    expect(fingerprint(k1)).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
