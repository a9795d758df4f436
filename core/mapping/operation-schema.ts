/**
 * JSON Schema of an operation definition (mappings/operations/*.yaml).
 * Field specs are recursive; `additionalProperties: false` everywhere so a
 * typo in a key is refused instead of silently ignored.
 */

import { RESILIENCE_SCHEMA } from '../resilience';

const errorCode = { type: 'string', pattern: '^[A-Z][A-Z_]*$' };

/** `date: { in, out, tz, outTz }`, the same in field specs and in file columns. */
export const DATE_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['in'],
  properties: {
    in: { type: 'string', minLength: 1, description: "'iso', 'epochMillis', 'epochSeconds' or a pattern such as yyyyMMddHHmmss" },
    out: { type: 'string', minLength: 1 },
    tz: { type: 'string', minLength: 1 },
    outTz: { type: 'string', minLength: 1 },
  },
};

const fieldCondition = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1 },
    equals: { type: ['string', 'number', 'boolean', 'null'] },
    notEquals: { type: ['string', 'number', 'boolean', 'null'] },
    in: { type: 'array', items: { type: ['string', 'number', 'boolean'] }, minItems: 1 },
    exists: { type: 'boolean' },
  },
  oneOf: [{ required: ['equals'] }, { required: ['notEquals'] }, { required: ['in'] }, { required: ['exists'] }],
};

/** Exactly one value source per field spec. */
const SOURCES = ['from', 'const', 'concat', 'sum', 'expr', 'if', 'each'] as const;
const exactlyOneSource = SOURCES.map((key) => ({
  required: key === 'each' ? ['each', 'map'] : key === 'if' ? ['if', 'then'] : [key],
  not: { anyOf: SOURCES.filter((k) => k !== key).map((k) => ({ required: [k] })) },
}));

export const FIELD_SPEC_SCHEMA = {
  $id: 'gridbus:field-spec',
  anyOf: [
    { type: 'string', minLength: 1, description: 'shorthand for { from: <path> }' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', minLength: 1 },
        const: {},
        concat: { type: 'array', minItems: 1, items: { $ref: 'gridbus:field-spec' } },
        separator: { type: 'string' },
        sum: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'paths to add up; `$out.` paths read fields mapped above' },
        expr: { type: 'string', minLength: 1, description: 'a JSONata expression (no code execution)' },
        if: fieldCondition,
        then: { $ref: 'gridbus:field-spec' },
        else: { $ref: 'gridbus:field-spec' },
        default: {},
        required: { type: 'boolean' },
        trim: { type: 'boolean' },
        split: {
          type: 'object',
          additionalProperties: false,
          required: ['separator'],
          properties: { separator: { type: 'string', minLength: 1 }, index: { type: 'integer' } },
        },
        type: { enum: ['string', 'integer', 'number', 'boolean'] },
        money: {
          type: 'object',
          additionalProperties: false,
          required: ['in'],
          properties: { in: { enum: ['fen', 'yuan'] }, out: { enum: ['fen', 'yuan'] } },
        },
        date: DATE_SPEC_SCHEMA,
        code: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'a table in mappings/codes/' },
        mask: { enum: ['name', 'mobile', 'idNumber', 'account', 'address'] },
        lookup: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
        each: { type: 'string', minLength: 1 },
        where: fieldCondition,
        map: { type: 'object', additionalProperties: { $ref: 'gridbus:field-spec' } },
      },
      oneOf: exactlyOneSource,
    },
  ],
};

export const OPERATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['operation', 'version', 'endpoint', 'request', 'response'],
  properties: {
    operation: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*\\.[a-z][a-zA-Z0-9]*$' },
    version: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    idempotent: { type: 'boolean' },
    settle: {
      type: 'object',
      additionalProperties: false,
      required: ['query'],
      description: 'how the outbox settles an unknown outcome (a timeout): the query operation that answers { found } for a serial',
      properties: { query: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]*\\.[a-z][a-zA-Z0-9]*$' } },
    },
    input: { type: 'object', description: 'JSON Schema of the canonical request' },
    resilience: RESILIENCE_SCHEMA,
    cache: {
      type: 'object',
      additionalProperties: false,
      required: ['ttl'],
      description: 'answers kept in memory on each node; only for idempotent operations',
      properties: {
        ttl: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+(ms|s|m)$' }] },
        maxEntries: { type: 'integer', minimum: 1, maximum: 1000000 },
      },
    },
    endpoint: {
      type: 'object',
      required: ['adapter'],
      properties: {
        adapter: { enum: ['soap', 'http'] },
        wsdl: { type: 'string', minLength: 1 },
        operation: { type: 'string', minLength: 1 },
        url: { type: 'string', minLength: 1 },
        method: { enum: ['GET', 'POST', 'PUT', 'DELETE'] },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
        retries: { type: 'integer', minimum: 0, maximum: 10 },
      },
      allOf: [
        { if: { properties: { adapter: { const: 'soap' } } }, then: { required: ['wsdl', 'operation'], not: { anyOf: [{ required: ['url'] }, { required: ['method'] }] } } },
        { if: { properties: { adapter: { const: 'http' } } }, then: { required: ['url', 'method'], not: { anyOf: [{ required: ['wsdl'] }, { required: ['operation'] }] } } },
      ],
      additionalProperties: false,
    },
    request: { type: 'object', additionalProperties: { $ref: 'gridbus:field-spec' } },
    response: {
      type: 'object',
      additionalProperties: false,
      required: ['map'],
      properties: {
        success: fieldCondition,
        errors: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['when', 'raise'],
            properties: {
              when: fieldCondition,
              raise: errorCode,
              message: { type: 'string' },
              retryable: { type: 'boolean' },
            },
          },
        },
        map: { type: 'object', additionalProperties: { $ref: 'gridbus:field-spec' } },
      },
    },
    faults: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['match', 'raise'],
        properties: {
          match: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              faultcode: { type: 'string' },
              faultstring: { type: 'string', description: 'substring' },
              status: { type: 'integer', minimum: 100, maximum: 599, description: 'HTTP status of an http endpoint' },
            },
          },
          raise: errorCode,
          message: { type: 'string' },
          retryable: { type: 'boolean' },
        },
      },
    },
  },
};
