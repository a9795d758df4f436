import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; [k: string]: unknown };
  [k: string]: unknown;
};

/** The repository's openapi folder, from the sources (core/openapi) or from dist/core/openapi. */
const ROOT = path.resolve(__dirname, '..', '..');
export const OPENAPI_DIR = path.join(path.basename(ROOT) === 'dist' ? path.dirname(ROOT) : ROOT, 'openapi');

/** What a part may add: paths under /api/v1, and these kinds of components. */
const PART_COMPONENTS = ['schemas', 'responses', 'parameters'] as const;
const PART_KEYS = new Set(['paths', 'components']);

/**
 * The life-number API contract: openapi/life-number.yaml, with the fragments
 * of openapi/parts/*.yaml (paths and components a plate adds) merged in. A
 * path or component defined twice is refused: two plates must not claim one
 * route, and a part must not silently replace the base's Error.
 */
export function loadLifeNumberSpec(dir = OPENAPI_DIR): OpenApiDocument {
  const doc = parse(fs.readFileSync(path.join(dir, 'life-number.yaml'), 'utf8')) as OpenApiDocument;
  doc.paths ??= {};
  doc.components ??= { schemas: {} };
  doc.components.schemas ??= {};
  const partsDir = path.join(dir, 'parts');
  const parts = fs.existsSync(partsDir) ? fs.readdirSync(partsDir).filter((f) => f.endsWith('.yaml')).sort() : [];
  for (const file of parts) {
    const where = `openapi/parts/${file}`;
    const part = (parse(fs.readFileSync(path.join(partsDir, file), 'utf8')) ?? {}) as Partial<OpenApiDocument>;
    const unknownKeys = Object.keys(part).filter((k) => !PART_KEYS.has(k));
    if (unknownKeys.length) throw new Error(`${where}: a part holds only paths and components, not ${unknownKeys.join(', ')}`);
    for (const [p, item] of Object.entries(part.paths ?? {})) {
      if (!p.startsWith('/api/v1/')) throw new Error(`${where}: path ${p} is not under /api/v1/`);
      if (doc.paths[p]) throw new Error(`${where}: path ${p} is already defined`);
      doc.paths[p] = item;
    }
    const components = (part.components ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const unknownComponents = Object.keys(components).filter((k) => !(PART_COMPONENTS as readonly string[]).includes(k));
    if (unknownComponents.length) throw new Error(`${where}: a part adds only components ${PART_COMPONENTS.join(', ')}, not ${unknownComponents.join(', ')}`);
    for (const kind of PART_COMPONENTS) {
      const target = ((doc.components[kind] as Record<string, unknown> | undefined) ??= {});
      for (const [name, value] of Object.entries(components[kind] ?? {})) {
        if (target[name] !== undefined) throw new Error(`${where}: ${kind === 'schemas' ? 'schema' : kind.slice(0, -1)} ${name} is already defined`);
        target[name] = value;
      }
    }
  }
  return doc;
}
