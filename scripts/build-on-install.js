#!/usr/bin/env node
// npm runs `prepare` after `npm install` and `npm ci` in this folder: build dist/ so that
// `npx gridbus ...` works right after the install. An install without dev dependencies
// (`npm ci --omit=dev`) has no TypeScript: it keeps a dist/ built elsewhere and says so,
// rather than failing the install.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'bin', 'gridbus.js');

let tsc = null;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  // dev dependencies omitted
}

if (!tsc) {
  process.stderr.write(
    fs.existsSync(cli)
      ? 'gridbus: TypeScript is not installed (dev dependencies omitted): using the dist/ already built\n'
      : 'gridbus: TypeScript is not installed (dev dependencies omitted) and dist/ is not built: the gridbus CLI will not run.\n' +
          '  Build where dev dependencies are installed (npm ci && npm run build) and ship dist/ with this folder.\n',
  );
  process.exit(0);
}

process.stderr.write('gridbus: building dist/ (tsc -p tsconfig.json) so that npx gridbus works\n');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
process.exit(build.status ?? 1);
