import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const DOCS = path.resolve(__dirname, '../../../docs');

interface Example {
  where: string;
  text: string;
}

/** Every ```yaml block, and every inline `key: { … }` / `key: [ … ]` span (what operators copy into a definition). */
function examples(): Example[] {
  const out: Example[] = [];
  const files = fs.readdirSync(DOCS, { recursive: true }).map(String).filter((f) => f.endsWith('.md'));
  for (const file of files) {
    const text = fs.readFileSync(path.join(DOCS, file), 'utf8');
    const lineOf = (index: number) => text.slice(0, index).split('\n').length;
    for (const m of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) out.push({ where: `docs/${file}:${lineOf(m.index!)}`, text: m[1] });
    // in a table row a code span writes `|` as `\|` (rendered as |)
    for (const m of text.matchAll(/`([A-Za-z_$][\w$.]*: [{[][^`\n]*[}\]])`/g)) out.push({ where: `docs/${file}:${lineOf(m.index!)} (inline)`, text: m[1].replace(/\\\|/g, '|') });
  }
  return out;
}

/** `…` stands for what the example leaves out: a line of its own is dropped, inside a value it is text. */
const elided = (text: string) => text.replace(/^\s*…\s*$/gm, '').replace(/…/g, 'x');

describe('docs - YAML examples parse', () => {
  const all = examples();

  it('finds the examples (blocks and inline field specs)', () => {
    expect(all.length).to.be.greaterThan(30);
    expect(all.some((e) => e.text.includes('sum: ['))).to.equal(true);
  });

  it('every YAML block and inline definition example in docs/*.md is valid YAML', () => {
    const broken = all
      .map((e) => ({ e, errors: [parseAllDocuments(elided(e.text))].flat().flatMap((d) => d.errors) }))
      .filter((r) => r.errors.length)
      .map((r) => `${r.e.where}: ${r.errors[0].message.split('\n')[0]}\n    ${r.e.text.split('\n')[0]}`);
    expect(broken, broken.join('\n')).to.deep.equal([]);
  });
});
