/**
 * The canonical shapes: what the bus's own services and sinks read from a
 * definition's output. Each is a JSON Schema (checked with ajv) annotated for
 * operators: `x-unit` (fen, kWh), `x-column` (the database column a field
 * fills), `x-mustMap` (a definition must say where the field comes from even
 * when a record may lack it). docs/canonical-shapes.md lists them in full.
 */
export interface CanonicalFieldSchema {
  type: string | string[];
  description: string;
  'x-unit'?: string;
  'x-column'?: string;
  'x-mustMap'?: boolean;
  pattern?: string;
  minLength?: number;
  enum?: unknown[];
  items?: CanonicalFieldSchema | CanonicalObjectSchema;
  [more: string]: unknown;
}

export interface CanonicalObjectSchema {
  type: 'object';
  additionalProperties: false;
  required: string[];
  properties: Record<string, CanonicalFieldSchema | CanonicalObjectSchema>;
  description?: string;
}

export interface CanonicalShape {
  /** `marketing.queryArrears response`, `reconciliation-record` */
  name: string;
  /** how messages name it: "the canonical marketing.queryArrears response" */
  title: string;
  /** who reads it (docs) */
  readBy: string;
  schema: CanonicalObjectSchema;
}

/** Fields a definition must map: the required ones and those marked x-mustMap. */
export function mustMap(schema: CanonicalObjectSchema): string[] {
  return Object.keys(schema.properties).filter((k) => schema.required.includes(k) || (schema.properties[k] as CanonicalFieldSchema)['x-mustMap'] === true);
}

/** The database columns a shape fills, in the order of its fields (for a sink's COPY/INSERT list). */
export function columnsOf(shape: CanonicalShape): Array<{ field: string; column: string }> {
  return Object.entries(shape.schema.properties).flatMap(([field, s]) => {
    const column = (s as CanonicalFieldSchema)['x-column'];
    return column ? [{ field, column }] : [];
  });
}
