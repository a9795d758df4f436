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

/**
 * The life-number API contract: openapi/life-number.yaml, with the fragments
 * of openapi/parts/*.yaml (paths and schemas a plate adds) merged in. A path
 * or schema defined twice is refused: two plates must not claim one route.
 */
export function loadLifeNumberSpec(dir = OPENAPI_DIR): OpenApiDocument {
  const doc = parse(fs.readFileSync(path.join(dir, 'life-number.yaml'), 'utf8')) as OpenApiDocument;
  doc.paths ??= {};
  doc.components ??= { schemas: {} };
  doc.components.schemas ??= {};
  const partsDir = path.join(dir, 'parts');
  const parts = fs.existsSync(partsDir) ? fs.readdirSync(partsDir).filter((f) => f.endsWith('.yaml')).sort() : [];
  for (const file of parts) {
    const part = (parse(fs.readFileSync(path.join(partsDir, file), 'utf8')) ?? {}) as Partial<OpenApiDocument>;
    for (const [p, item] of Object.entries(part.paths ?? {})) {
      if (doc.paths[p]) throw new Error(`openapi/parts/${file}: path ${p} is already defined`);
      doc.paths[p] = item;
    }
    for (const [name, schema] of Object.entries(part.components?.schemas ?? {})) {
      if (doc.components.schemas[name]) throw new Error(`openapi/parts/${file}: schema ${name} is already defined`);
      doc.components.schemas[name] = schema;
    }
  }
  return doc;
}
