#!/usr/bin/env node
// The `node-gyp` command of the other dependencies' install scripts. This
// folder is a dependency of gridbus (package.json, installed as a copy:
// install-links in .npmrc), so npm links this file as node_modules/.bin/node-gyp
// before it runs their install scripts, and that folder comes first on their
// PATH. (npm's own `node-gyp` setting would be the natural hook, but npm 11
// ignores it for dependency scripts: npm/cli#9826.)
//
// node-gyp needs Node's headers and downloads them when it has none, which
// fails without internet. The Node.js package of a Linux distribution installs
// them under /usr (include/node/node.h): when those are the headers of the
// Node that builds, node-gyp gets --nodedir=/usr. Anywhere else (Node from
// nvm, a tarball, the official installer: no /usr headers, or ones of another
// version) npm's own node-gyp runs exactly as npm would run it.
// Plain JavaScript: it runs during `npm install`, before anything is built.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SYSTEM_PREFIX = '/usr';

/** The version of the headers under `prefix` (include/node/node_version.h), as process.version writes it; null when there are none. */
function headersVersion(prefix) {
  let text;
  try {
    text = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
  } catch {
    return null;
  }
  const part = (name) => (new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(text) || [])[1];
  const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
  if (!major || !minor || !patch || !fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) return null;
  return `v${major}.${minor}.${patch}`;
}

/**
 * The nodedir to give node-gyp: `prefix` when its headers are those of
 * `version`, unless a nodedir is set already (npm_config_nodedir, from any
 * npm config or the environment); else null, node-gyp's own choice.
 */
function chooseNodedir({ prefix = SYSTEM_PREFIX, version = process.version, env = process.env } = {}) {
  if (env.npm_config_nodedir) return null;
  return headersVersion(prefix) === version ? prefix : null;
}

/** npm's own node-gyp (the one npm runs when `node-gyp` is not set): beside npm-cli.js, else one installed here. */
function npmNodeGyp(env = process.env) {
  if (env.npm_execpath) {
    const bundled = path.join(path.dirname(path.dirname(env.npm_execpath)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(bundled)) return bundled;
  }
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

function main() {
  const nodeGyp = npmNodeGyp();
  if (!nodeGyp) {
    process.stderr.write('node-gyp-nodedir: npm\'s node-gyp was not found (npm_execpath unset?): run this through npm (npm install, npm rebuild)\n');
    process.exit(1);
  }
  const env = { ...process.env };
  const nodedir = chooseNodedir({ env });
  if (nodedir) env.npm_config_nodedir = nodedir;
  const run = spawnSync(process.execPath, [nodeGyp, ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (run.error) {
    process.stderr.write(`node-gyp-nodedir: could not run ${nodeGyp}: ${run.error.message}\n`);
    process.exit(1);
  }
  process.exit(run.status === null ? 1 : run.status);
}

module.exports = { chooseNodedir, headersVersion, npmNodeGyp, SYSTEM_PREFIX };

if (require.main === module) main();
