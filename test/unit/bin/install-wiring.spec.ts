import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

// `npm ci` in a fresh clone followed by `npx gridbus --help` is checked by hand (docs/cli.md): too slow here
describe('bin - npm install leaves a working CLI', () => {
  it('prepare - npm install and npm ci run the build script, which builds with tsc', () => {
    expect(pkg.scripts.prepare).to.equal('node scripts/build-on-install.js');
    const script = fs.readFileSync(path.join(ROOT, 'scripts', 'build-on-install.js'), 'utf8');
    expect(script).to.contain("require.resolve('typescript/bin/tsc'");
    expect(script).to.contain("'tsconfig.json'");
  });

  it('bin - gridbus is the file tsc emits for bin/gridbus.ts, which starts with a shebang', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(tsconfig.compilerOptions.rootDir).to.equal('.');
    expect(pkg.bin.gridbus).to.equal(`${tsconfig.compilerOptions.outDir}/bin/gridbus.js`);
    expect(fs.readFileSync(path.join(ROOT, 'bin', 'gridbus.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).to.equal(true);
  });
});
