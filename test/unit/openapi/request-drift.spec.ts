import { expect } from 'chai';
import type { OpenApiDocument } from '../../../core/openapi/life-number-spec';
import { requestDrift } from '../../integration/contract/request-drift';

const doc = {
  openapi: '3.1.0',
  paths: {},
  components: {
    schemas: { AccountNo: { type: 'string', pattern: '^[0-9]{10}$' } },
    parameters: { AccountNoPath: { name: 'accountNo', in: 'path', required: true, schema: { $ref: '#/components/schemas/AccountNo' } } },
  },
} as OpenApiDocument;

const ACCOUNT_NO = { type: 'string', pattern: /^[0-9]{10}$/ };
const body = (properties: Record<string, unknown>, required: string[]) => ({ requestBody: { content: { 'application/json': { schema: { type: 'object', required, properties } } } } });

describe('openapi - request drift: a spec operation against the params its action validates', () => {
  it('openapi - path, query and body fields that match the action agree', () => {
    const op = {
      parameters: [{ $ref: '#/components/parameters/AccountNoPath' }, { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } }],
      ...body({ all: { type: 'boolean' }, amountFen: { type: 'integer', minimum: 1 } }, []),
    };
    const params = { accountNo: ACCOUNT_NO, limit: { type: 'number', integer: true, min: 1, max: 100, optional: true }, all: 'boolean|optional', amountFen: { type: 'number', integer: true, positive: true, optional: true }, $$strict: true };
    expect(requestDrift(doc, op, params)).to.deep.equal([]);
  });

  it('openapi - body: false (a stream alias) compares path and query only', () => {
    const op = { parameters: [{ $ref: '#/components/parameters/AccountNoPath' }], ...body({ kind: { type: 'string' } }, ['kind']) };
    expect(requestDrift(doc, op, { accountNo: ACCOUNT_NO }, { body: false })).to.deep.equal([]);
    expect(requestDrift(doc, op, { accountNo: ACCOUNT_NO })).to.deep.equal(['the spec has kind, the action does not take it']);
  });

  it('openapi - a field on one side only, required-ness, type, pattern, bounds, nullability and enums that differ are each named', () => {
    const op = body(
      {
        accountNo: { type: 'string', pattern: '^[0-9]{8}$' },
        label: { type: 'string', maxLength: 32 },
        amountFen: { type: 'number' },
        state: { enum: ['A', 'B'] },
        extra: { type: 'string' },
      },
      ['label'],
    );
    const params = {
      accountNo: ACCOUNT_NO,
      label: { type: 'string', max: 64, optional: true, nullable: true },
      amountFen: { type: 'number', integer: true },
      state: { type: 'enum', values: ['A', 'C'] },
      note: 'string',
    };
    expect(requestDrift(doc, op, params)).to.have.members([
      'the action takes note, the spec does not',
      'the spec has extra, the action does not take it',
      'accountNo: required in the action, optional in the spec',
      'accountNo: pattern ^[0-9]{10}$ in the action, ^[0-9]{8}$ in the spec',
      'label: optional in the action, required in the spec',
      'label: nullable in the action, not in the spec',
      'label: max 64 in the action, maxLength 32 in the spec',
      'amountFen: required in the action, optional in the spec',
      'amountFen: number (integer) in the action, number in the spec',
      'state: required in the action, optional in the spec',
      'state: enum ["A","C"] in the action, ["A","B"] in the spec',
    ]);
  });
});
