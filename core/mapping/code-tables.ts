import Ajv from 'ajv';
import YAML from 'yaml';
import { GridbusError } from '../errors';

/**
 * A code table (mappings/codes/*.yaml): back-office codes to canonical values,
 * e.g. bill status "01" → UNPAID. Referenced from field specs as `code: <table>`.
 */
export interface CodeTable {
  name: string;
  file: string;
  values: ReadonlyMap<string, unknown>;
  /** Used for a code not in the table; without it such a code is refused. */
  fallback?: { value: unknown };
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['table', 'values'],
  properties: {
    table: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    description: { type: 'string' },
    values: { type: 'object', minProperties: 1, additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    default: { type: ['string', 'number', 'boolean', 'null'] },
  },
};
const validate = new Ajv({ strict: false }).compile(SCHEMA);

export function loadCodeTableText(text: string, file: string): CodeTable {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    throw new GridbusError('MAPPING_INVALID', `${file}: line ${doc.errors[0].linePos?.[0].line ?? '?'}: ${doc.errors[0].message.split('\n')[0]}`, { details: { file, path: '' } });
  }
  const raw = doc.toJS() as { table: string; values: Record<string, unknown>; default?: unknown };
  if (!validate(raw)) {
    const e = validate.errors![0];
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'` : '';
    throw new GridbusError('MAPPING_INVALID', `${file}: ${where}: ${e.message}${extra}`, { details: { file, path: where } });
  }
  return {
    name: raw.table,
    file,
    values: new Map(Object.entries(raw.values)),
    fallback: 'default' in raw ? { value: raw.default } : undefined,
  };
}
