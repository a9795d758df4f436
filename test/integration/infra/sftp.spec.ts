// Proves that the test SFTP server (scripts/services.sh, TEST_SFTP_*) is a
// real OpenSSH server: key login, the host key checked against the
// known_hosts file, and a file round trip through the drop directory.
import { expect } from 'chai';
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import SftpClient from 'ssh2-sftp-client';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`scripts/services.sh up\` and \`source var/services/env.sh\` (npm test does both)`,
    );
  }
  return value;
}

/** The raw public key blob known_hosts holds for host:port. */
function knownHostKey(file: string, host: string, port: number): Buffer {
  const pattern = port === 22 ? host : `[${host}]:${port}`;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 3 && !line.startsWith('#') && fields[0].split(',').includes(pattern)) {
      return Buffer.from(fields[2], 'base64');
    }
  }
  throw new Error(`no key for ${pattern} in ${file}`);
}

describe('infra - sftp', function () {
  this.timeout(30_000);

  let host: string;
  let port: number;
  let username: string;
  let privateKey: Buffer;
  let root: string;
  let expectedHostKey: Buffer;
  const clients: SftpClient[] = [];

  function connectOptions(expected: Buffer, seen: Buffer[]) {
    return {
      host,
      port,
      username,
      privateKey,
      readyTimeout: 10_000,
      // strict host-key checking: only the key known_hosts names is accepted
      hostVerifier: (key: Buffer) => {
        seen.push(key);
        return key.equals(expected);
      },
    };
  }

  before(function () {
    host = requireEnv('TEST_SFTP_HOST');
    port = Number(requireEnv('TEST_SFTP_PORT'));
    username = requireEnv('TEST_SFTP_USER');
    privateKey = readFileSync(requireEnv('TEST_SFTP_KEY'));
    root = requireEnv('TEST_SFTP_ROOT');
    expectedHostKey = knownHostKey(requireEnv('TEST_SFTP_KNOWN_HOSTS'), host, port);
  });

  after(async function () {
    for (const client of clients) {
      await client.end().catch(() => undefined);
    }
  });

  it('puts, lists and gets back a file in the drop directory with key auth and a verified host key', async function () {
    const client = new SftpClient('gridbus-infra-sftp');
    clients.push(client);
    const seen: Buffer[] = [];
    await client.connect(connectOptions(expectedHostKey, seen));
    expect(seen, 'host keys offered').to.have.length(1);
    expect(seen[0].equals(expectedHostKey)).to.equal(true);

    const name = `infra-${randomUUID()}.bin`;
    const remote = `${root}/${name}`;
    const content = Buffer.concat([Buffer.from('gridbus sftp check\n'), randomBytes(64 * 1024)]);
    try {
      await client.put(content, remote);
      const listing = await client.list(root);
      const entry = listing.find((e) => e.name === name);
      expect(entry, `${name} in the listing of ${root}`).to.exist;
      expect(entry!.size).to.equal(content.length);
      const back = (await client.get(remote)) as Buffer;
      expect(Buffer.isBuffer(back)).to.equal(true);
      expect(back.equals(content), 'downloaded bytes equal uploaded bytes').to.equal(true);
    } finally {
      await client.delete(remote, true);
    }
    expect(await client.exists(remote)).to.equal(false);
  });

  it('refuses to connect when the server host key is not the expected one', async function () {
    // never connected, so nothing to close afterwards; the refused
    // connection's end/close events are expected, not worth a log line
    const quiet = { error: () => undefined, end: () => undefined, close: () => undefined };
    const client = new SftpClient('gridbus-infra-sftp-wrong-key', quiet);
    // a real ed25519 key, but not the server's: the user's own public key
    const wrongKey = Buffer.from(readFileSync(`${process.env.TEST_SFTP_KEY}.pub`, 'utf8').split(/\s+/)[1], 'base64');
    expect(wrongKey.equals(expectedHostKey)).to.equal(false);
    const seen: Buffer[] = [];
    let error: Error | undefined;
    try {
      await client.connect(connectOptions(wrongKey, seen));
    } catch (e) {
      error = e as Error;
    }
    expect(error, 'connect must fail').to.be.instanceOf(Error);
    expect(error!.message).to.match(/verif|host/i);
    // the server did answer and showed its real key, which was refused
    expect(seen).to.have.length(1);
    expect(seen[0].equals(expectedHostKey)).to.equal(true);
  });
});
