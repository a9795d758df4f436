import { expect } from 'chai';
import { resolveConsumerOptions, resolveProducerOptions } from '../../../../adapters/sftp/sftp-options';
import { GridbusError } from '../../../../core/errors';

const base = { host: 'sftp.example', username: 'bus', privateKeyFile: '/keys/id', directory: '/in' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
    return ((err as GridbusError).data as { problems: string[] }).problems;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('adapters/sftp - options', () => {
  it('defaults follow Camel where Camel has the option, and are safe elsewhere', () => {
    const o = resolveConsumerOptions(base);
    expect(o).to.include({
      id: 'sftp:bus@sftp.example:22/in',
      directory: '/in',
      delay: 500,
      initialDelay: 1000,
      readLock: 'changed',
      readLockCheckInterval: 1000,
      readLockMinAge: 0,
      readLockMinLength: 1,
      noop: false,
      includeHiddenFiles: false,
      maxMessagesPerPoll: 0,
      idempotent: true,
      autoCreate: true,
    });
    expect(o.connection).to.include({ port: 22, strictHostKeyChecking: true, connectTimeout: 10000, reconnectDelay: 1000, maxReconnectDelay: 60000 });
    expect(o.connection.knownHostsFile).to.match(/\.ssh\/known_hosts$/);
    expect(o.move!.source).to.equal('.done/${file:name}');
    expect(o.moveFailed!.source).to.equal('.failed/${file:name}');
    expect(o.preMove).to.equal(undefined);
  });

  it('strict host-key checking is off only when explicitly false or "no"', () => {
    expect(resolveConsumerOptions({ ...base, strictHostKeyChecking: false }).connection.strictHostKeyChecking).to.equal(false);
    expect(resolveConsumerOptions({ ...base, strictHostKeyChecking: 'no' }).connection.strictHostKeyChecking).to.equal(false);
    expect(resolveConsumerOptions({ ...base, strictHostKeyChecking: 'yes' }).connection.strictHostKeyChecking).to.equal(true);
    expect(problems(() => resolveConsumerOptions({ ...base, strictHostKeyChecking: 'off' as never }))[0]).to.match(/strictHostKeyChecking/);
  });

  it('refuses unknown options (a typo never becomes a silent default) and lists every problem at once', () => {
    const p = problems(() => resolveConsumerOptions({ ...base, readlock: 'changed', delay: -1, move: '${file:nme}' } as never));
    expect(p.join('\n')).to.match(/unknown option 'readlock'/).and.match(/delay: invalid duration -1/).and.match(/move: unknown token/);
  });

  it('needs a credential, a host, a user and a directory', () => {
    const p = problems(() => resolveConsumerOptions({} as never));
    expect(p.join('\n')).to.match(/host is required/).and.match(/username is required/).and.match(/directory is required/).and.match(/privateKey, privateKeyFile or password/);
  });

  it('noop: files stay, so moves cannot be set and the idempotent repository is required', () => {
    const o = resolveConsumerOptions({ ...base, noop: true });
    expect(o.move).to.equal(undefined);
    expect(o.moveFailed).to.equal(undefined);
    expect(problems(() => resolveConsumerOptions({ ...base, noop: true, idempotent: false }))[0]).to.match(/noop needs idempotent/);
    expect(problems(() => resolveConsumerOptions({ ...base, noop: true, move: '.x' }))[0]).to.match(/cannot be set/);
  });

  it('durations - readLockMinAge and the other ms options take Camel-style durations (30s, 2m) or ms; a bad one says what to write', () => {
    const o = resolveConsumerOptions({ ...base, readLockMinAge: '30s', readLockCheckInterval: '1500ms', delay: '2m', initialDelay: 250, shutdownTimeout: '10000' });
    expect(o).to.include({ readLockMinAge: 30_000, readLockCheckInterval: 1500, delay: 120_000, initialDelay: 250, shutdownTimeout: 10_000 });
    const p = problems(() => resolveConsumerOptions({ ...base, readLockMinAge: '30 seconds', readLockCheckInterval: true as never }));
    expect(p.join('\n')).to.match(/readLockMinAge: invalid duration '30 seconds' \(expected e\.g\. 200ms, 3s, 1m/).and.match(/readLockCheckInterval: invalid duration true/);
  });

  it('idempotentKey - content-hash by default; a Camel expression with ${file:...} tokens; a key naming no file or an unknown token is refused', () => {
    expect(resolveConsumerOptions(base).idempotentKey).to.deep.equal({ kind: 'content-hash', source: 'content-hash' });
    const k = resolveConsumerOptions({ ...base, idempotentKey: '${file:name}-${file:size}' }).idempotentKey;
    expect(k?.kind).to.equal('expression');
    if (k?.kind === 'expression') expect(k.expression.evaluate({ name: 'ZF_20251204.csv', size: 4096, mtime: 1, now: 2 })).to.equal('ZF_20251204.csv-4096');
    expect(problems(() => resolveConsumerOptions({ ...base, idempotentKey: 'same-for-all' }))[0]).to.match(/idempotentKey: 'same-for-all' names no file: write 'content-hash'/);
    expect(problems(() => resolveConsumerOptions({ ...base, idempotentKey: '${file:hash}' }))[0]).to.match(/idempotentKey: unknown token \$\{file:hash\}/);
    expect(problems(() => resolveConsumerOptions({ ...base, idempotent: false, idempotentKey: 'content-hash' }))[0]).to.match(/idempotentKey needs idempotent/);
    expect(resolveConsumerOptions({ ...base, idempotent: false }).idempotentKey).to.equal(undefined);
  });

  it('delete - deletes instead of moving after success (moveFailed stays); not with move or noop', () => {
    const o = resolveConsumerOptions({ ...base, delete: true });
    expect(o.delete).to.equal(true);
    expect(o.move).to.equal(undefined);
    expect(o.moveFailed!.source).to.equal('.failed/${file:name}');
    expect(problems(() => resolveConsumerOptions({ ...base, delete: true, move: '.done' }))[0]).to.match(/delete and move cannot both be set/);
    expect(problems(() => resolveConsumerOptions({ ...base, delete: true, noop: true })).join('\n')).to.match(/delete cannot be set/);
  });

  it('a channel definition passes a plain object with Camel names: every option the issue names is known', async () => {
    const { SFTP_CONSUMER_OPTION_NAMES } = await import('../../../../adapters/sftp/sftp-options');
    for (const name of ['doneFileName', 'readLock', 'readLockMinAge', 'idempotentKey', 'move', 'moveFailed', 'include', 'delete']) expect(SFTP_CONSUMER_OPTION_NAMES).to.include(name);
    const o = resolveConsumerOptions({ ...base, include: 'ZF_.*\\.csv', doneFileName: '${file:name.noext}.done', readLock: 'none', readLockMinAge: '30s', idempotentKey: 'content-hash', move: '.done', moveFailed: '.failed' });
    expect(o.doneFileName!.evaluate({ name: 'ZF_20251204.csv', mtime: 0, now: 0 })).to.equal('ZF_20251204.done');
    expect(o.include!.test('ZF_20251204.csv')).to.equal(true);
  });

  it('producer: tempPrefix default .tmp-, no slash in it', () => {
    const o = resolveProducerOptions({ ...base, directory: '/out' });
    expect(o.tempPrefix).to.equal('.tmp-');
    expect(o.id).to.equal('sftp:bus@sftp.example:22/out#producer');
    expect(problems(() => resolveProducerOptions({ ...base, tempPrefix: 'tmp/' }))[0]).to.match(/tempPrefix/);
  });
});

describe('adapters/sftp - connection socket', () => {
  it('the default socket factory turns Nagle off (TCP_NODELAY) before ssh2 sees the socket', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const net = require('net') as typeof import('net');
    const { noDelaySocket } = await import('../../../../adapters/sftp/sftp-connection');
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const calls: unknown[] = [];
    const original = net.Socket.prototype.setNoDelay;
    net.Socket.prototype.setNoDelay = function (this: import('net').Socket, ...args: unknown[]) {
      calls.push(args[0]);
      return original.apply(this, args as [boolean]);
    };
    try {
      const s = noDelaySocket('127.0.0.1', (server.address() as import('net').AddressInfo).port);
      expect(calls).to.deep.equal([true]);
      s.destroy();
    } finally {
      net.Socket.prototype.setNoDelay = original;
      server.close();
    }
  });
});
