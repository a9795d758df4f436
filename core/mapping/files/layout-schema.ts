/**
 * JSON Schema of a file layout (mappings/files/*.yaml). Checks that need more
 * than one place of the document (widths only for fixed, totals naming real
 * integer fields, file-name tokens) are made when the layout is compiled.
 */
import { FILE_KINDS } from '../canonical/records';
import { DERIVE_SCHEMA, IDENTIFIER, VALUE_SPEC_PROPERTIES } from './value-schema';

const column = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: IDENTIFIER,
    width: { type: 'integer', minimum: 1 },
    ...VALUE_SPEC_PROPERTIES,
  },
};

const select = {
  anyOf: [
    { enum: ['first', 'last'] },
    {
      type: 'object',
      additionalProperties: false,
      required: ['prefix'],
      properties: { prefix: { type: 'string', minLength: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['column', 'equals'],
      properties: {
        column: { type: 'integer', minimum: 0 },
        equals: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
      },
    },
  ],
};

const recordProperties = {
  select,
  fields: { type: 'array', items: column, minItems: 1 },
  derive: DERIVE_SCHEMA,
};

const recordType = {
  type: 'object',
  additionalProperties: false,
  required: ['fields'],
  properties: recordProperties,
};

const reference = { type: 'string', pattern: '^(header|trailer)\\.[A-Za-z_][A-Za-z0-9_]*$' };

export const FILE_LAYOUT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['layout', 'version', 'format', 'encoding', 'records'],
  properties: {
    layout: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9-]*)+$' },
    version: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    produces: { enum: Object.keys(FILE_KINDS), description: 'the canonical record the detail map produces (default reconciliation-record)' },
    format: { enum: ['fixed', 'delimited'] },
    encoding: { enum: ['utf-8', 'gbk', 'gb18030'] },
    fixed: {
      type: 'object',
      additionalProperties: false,
      properties: {
        unit: { enum: ['bytes', 'chars'] },
        shortLines: { enum: ['refuse', 'pad'] },
      },
    },
    delimited: {
      type: 'object',
      additionalProperties: false,
      required: ['delimiter'],
      properties: {
        delimiter: { type: 'string', minLength: 1, maxLength: 4 },
        quote: { type: 'string', minLength: 1, maxLength: 1 },
        trailingDelimiter: { type: 'boolean' },
      },
    },
    fileName: {
      type: 'object',
      additionalProperties: false,
      required: ['pattern'],
      properties: {
        pattern: { type: 'string', minLength: 1 },
        parts: {
          type: 'object',
          propertyNames: IDENTIFIER,
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              length: { type: 'integer', minimum: 1 },
              chars: { enum: ['digits', 'alphanumeric', 'any'] },
            },
          },
        },
      },
    },
    skip: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['prefix'],
        properties: { prefix: { type: 'string', minLength: 1 } },
      },
    },
    onBadRecord: { enum: ['fail', 'skip-and-report'] },
    maxLineLength: { type: 'integer', minimum: 1 },
    records: {
      type: 'object',
      additionalProperties: false,
      required: ['detail'],
      properties: {
        header: recordType,
        trailer: recordType,
        detail: {
          type: 'object',
          additionalProperties: false,
          required: ['fields'],
          properties: {
            ...recordProperties,
            map: { type: 'object', additionalProperties: { $ref: 'gridbus:field-spec' } },
          },
        },
      },
    },
    totals: {
      type: 'object',
      additionalProperties: false,
      properties: {
        count: reference,
        sums: { type: 'object', propertyNames: IDENTIFIER, additionalProperties: reference, minProperties: 1 },
      },
    },
  },
};
