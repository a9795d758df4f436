/**
 * Folds openapi/parts/*.yaml into openapi/life-number.yaml (docs/api.md, "How a
 * plate adds routes"): each part's paths go under `paths:`, its components
 * under `components:`, comments kept, and the part file is deleted. The merged
 * document is checked to be the same as the loader's merge before anything is
 * written.
 *
 *   npx ts-node --transpile-only scripts/openapi-fold-parts.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMap, parseDocument, YAMLMap } from 'yaml';
import { loadLifeNumberSpec, OPENAPI_DIR } from '../core/openapi/life-number-spec';

const basePath = path.join(OPENAPI_DIR, 'life-number.yaml');
const partsDir = path.join(OPENAPI_DIR, 'parts');
const merged = loadLifeNumberSpec(); // refuses clashes, names the part
const base = parseDocument(fs.readFileSync(basePath, 'utf8'));
const parts = fs.readdirSync(partsDir).filter((f) => f.endsWith('.yaml')).sort();

function mapAt(doc: typeof base, keys: string[]): YAMLMap {
  let node = doc.getIn(keys, true);
  if (!isMap(node) || (node as YAMLMap).flow) {
    // `paths: {}` in the base: a block map instead
    const fresh = doc.createNode({}) as YAMLMap;
    for (const item of isMap(node) ? (node as YAMLMap).items : []) fresh.items.push(item);
    doc.setIn(keys, fresh);
    node = fresh;
  }
  return node as YAMLMap;
}

for (const file of parts) {
  const part = parseDocument(fs.readFileSync(path.join(partsDir, file), 'utf8'));
  const paths = part.get('paths', true);
  if (isMap(paths)) for (const item of paths.items) mapAt(base, ['paths']).items.push(item);
  const components = part.get('components', true);
  if (isMap(components)) {
    for (const kind of components.items) {
      const name = String((kind.key as { value?: unknown }).value ?? kind.key);
      if (isMap(kind.value)) for (const item of kind.value.items) mapAt(base, ['components', name]).items.push(item);
    }
  }
}

const folded = base.toJS();
if (JSON.stringify(folded) !== JSON.stringify(merged)) {
  // key order may differ; compare as sorted JSON
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v);
  if (JSON.stringify(sorted(folded)) !== JSON.stringify(sorted(merged))) throw new Error('the folded document differs from the merged one: nothing written');
}
fs.writeFileSync(basePath, base.toString({ lineWidth: 0 }));
for (const file of parts) fs.rmSync(path.join(partsDir, file));
console.log(`folded ${parts.join(', ') || 'no part'} into ${path.relative(process.cwd(), basePath)}`);
