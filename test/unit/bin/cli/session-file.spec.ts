import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliError } from '../../../../bin/cli/cli-error';
import { BusSession, SessionFile, sessionFilePath } from '../../../../bin/cli/session-file';

const session = (url: string, user = 'admin'): BusSession => ({
  url,
  user,
  roles: ['admin'],
  accessToken: 'a.b.c',
  refreshToken: 'r'.repeat(43),
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
});

describe('bin/cli/session-file - the CLI keeps its sessions to itself', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-session-'));
    file = path.join(dir, 'config', 'gridbus', 'session.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('path - GRIDBUS_SESSION_FILE, else under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(sessionFilePath({ GRIDBUS_SESSION_FILE: '/x/s.json' })).to.equal('/x/s.json');
    expect(sessionFilePath({ XDG_CONFIG_HOME: '/cfg' })).to.equal('/cfg/gridbus/session.json');
    expect(sessionFilePath({})).to.equal(path.join(os.homedir(), '.config', 'gridbus', 'session.json'));
  });

  it('save - writes a 0600 file in a 0700 folder, even under a permissive umask', () => {
    const old = process.umask(0);
    try {
      new SessionFile(file).save(session('http://a:1'));
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
    expect(new SessionFile(file).get('http://a:1')?.user).to.equal('admin');
  });

  it('sessions - one per bus; the last log-in is current; removing the last one deletes the file', () => {
    const store = new SessionFile(file);
    store.save(session('http://a:1', 'alice'));
    store.save(session('http://b:2', 'bob'));
    expect(store.current()).to.equal('http://b:2');
    expect(store.list().map((s) => s.user)).to.deep.equal(['alice', 'bob']);
    store.remove('http://b:2');
    expect(store.current()).to.equal('http://a:1');
    store.remove('http://a:1');
    expect(fs.existsSync(file)).to.equal(false);
  });

  it('read - refuses a session file that others can read', () => {
    const store = new SessionFile(file);
    store.save(session('http://a:1'));
    fs.chmodSync(file, 0o644);
    expect(() => store.get('http://a:1')).to.throw(CliError, /can be read by others \(mode 644\): chmod 600/);
  });
});
