import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// plain JavaScript (it runs during npm install, before any build)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrapper = require('../../../../scripts/node-gyp-nodedir/node-gyp.js') as {
  chooseNodedir(opts: { prefix?: string; version?: string; env?: Record<string, string | undefined> }): string | null;
  npmNodeGyp(env: Record<string, string | undefined>): string | null;
};

/** The node-gyp of the other dependencies' install scripts: /usr headers only when they are this Node's, npm's node-gyp otherwise untouched. */
describe('node-gyp wrapper - gives node-gyp the system headers only when they match the building Node', () => {
  let prefix: string;

  beforeEach(() => {
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-headers-'));
  });

  afterEach(() => fs.rmSync(prefix, { recursive: true, force: true }));

  function headers(version: string | null, withNodeH = true): void {
    const dir = path.join(prefix, 'include', 'node');
    fs.mkdirSync(dir, { recursive: true });
    if (withNodeH) fs.writeFileSync(path.join(dir, 'node.h'), '/* node */\n');
    if (version) {
      const [major, minor, patch] = version.slice(1).split('.');
      fs.writeFileSync(
        path.join(dir, 'node_version.h'),
        `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`,
      );
    }
  }

  it('uses the prefix when its headers are those of the Node that builds (the Debian node package here)', () => {
    headers('v20.20.2');
    expect(wrapper.chooseNodedir({ prefix, version: 'v20.20.2', env: {} })).to.equal(prefix);
  });

  it('leaves node-gyp alone on a machine without headers there (Node from nvm, a tarball, the official installer)', () => {
    expect(wrapper.chooseNodedir({ prefix, version: 'v20.20.2', env: {} })).to.equal(null);
    headers(null);
    expect(wrapper.chooseNodedir({ prefix, version: 'v20.20.2', env: {} })).to.equal(null);
  });

  it('leaves node-gyp alone when the headers there are of another Node (nvm beside a distribution package)', () => {
    headers('v20.20.2');
    expect(wrapper.chooseNodedir({ prefix, version: 'v22.12.0', env: {} })).to.equal(null);
    expect(wrapper.chooseNodedir({ prefix, version: 'v20.20.1', env: {} })).to.equal(null);
  });

  it('never overrides a nodedir set in npm config or the environment', () => {
    headers('v20.20.2');
    expect(wrapper.chooseNodedir({ prefix, version: 'v20.20.2', env: { npm_config_nodedir: '/opt/node-headers' } })).to.equal(null);
  });

  it('finds npm\'s own node-gyp from npm_execpath', () => {
    const npmRoot = path.join(prefix, 'lib', 'node_modules', 'npm');
    const bundled = path.join(npmRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.writeFileSync(bundled, '');
    expect(wrapper.npmNodeGyp({ npm_execpath: path.join(npmRoot, 'bin', 'npm-cli.js') })).to.equal(bundled);
  });
});
