import { DATE_SPEC_SCHEMA } from '../operation-schema';
/**
 * JSON Schema pieces for value specs (columns, `derive:` entries), shared by
 * file layouts and topic shapes. `additionalProperties: false` everywhere.
 */
export const IDENTIFIER = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };

export const VALUE_SPEC_PROPERTIES = {
  trim: { enum: [true, false, 'left', 'right'] },
  type: { enum: ['string', 'integer', 'number', 'boolean'] },
  money: {
    type: 'object',
    additionalProperties: false,
    required: ['in'],
    properties: { in: { enum: ['fen', 'yuan'] } },
  },
  date: DATE_SPEC_SCHEMA,
  default: {},
  required: { type: 'boolean' },
};

const PATH = { type: 'string', minLength: 1, pattern: '^[^.]+(\\.[^.]+)*$' };

export const DERIVE_SCHEMA = {
  type: 'object',
  propertyNames: IDENTIFIER,
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...VALUE_SPEC_PROPERTIES,
      from: PATH,
      join: { type: 'array', items: PATH, minItems: 1 },
      separator: { type: 'string' },
      list: { type: 'array', items: PATH, minItems: 1 },
    },
  },
};
