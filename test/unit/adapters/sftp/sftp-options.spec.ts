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
    expect(p.join('\n')).to.match(/unknown option 'readlock'/).and.match(/delay must be an integer >= 0/).and.match(/move: unknown token/);
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
