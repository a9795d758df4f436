/** JSON Schema of a topic shape (mappings/topics/*.yaml); `additionalProperties: false` everywhere. */
import { READING_KINDS } from '../canonical/records';
import { DERIVE_SCHEMA } from '../files/value-schema';

const path = { type: 'string', minLength: 1, pattern: '^[^.]+(\\.[^.]+)*$' };

export const TOPIC_SHAPE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['shape', 'version', 'topic', 'format', 'map'],
  properties: {
    shape: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9-]*)+$' },
    version: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    produces: { enum: Object.keys(READING_KINDS), description: 'the canonical record the map produces (default daily-reading)' },
    topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
    format: { enum: ['flat', 'envelope'] },
    encoding: { enum: ['utf-8', 'gbk', 'gb18030'] },
    envelope: {
      type: 'object',
      additionalProperties: false,
      required: ['recordPath'],
      properties: {
        recordPath: path,
        operationPath: path,
        tablePath: path,
        select: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            table: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }] },
            operations: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
          },
        },
      },
    },
    derive: DERIVE_SCHEMA,
    map: { type: 'object', minProperties: 1, additionalProperties: { $ref: 'gridbus:field-spec' } },
  },
};
