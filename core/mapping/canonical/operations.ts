import { CanonicalObjectSchema, CanonicalShape } from './canonical-shape';
import { PLATE_OPERATIONS } from './plate-operations';

/**
 * Canonical operations the bus's services call, with the request they pass
 * and the response they read (services/billing, services/binding, the SMS
 * fallback; the plates' operations are in plate-operations.ts). An operation
 * not listed here is the operator's own: its response is not checked.
 */
export interface CanonicalOperation {
  name: string;
  request: CanonicalObjectSchema;
  response: CanonicalShape;
}

const MASKED = 'masked by the mapping (mask:) before it leaves the bus';

const QUERY_ARREARS: CanonicalOperation = {
  name: 'marketing.queryArrears',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['accountNo'],
    properties: { accountNo: { type: 'string', pattern: '^[0-9]{10}$', description: 'electricity account number (户号), 10 digits' } },
  },
  response: {
    name: 'marketing.queryArrears response',
    title: 'canonical marketing.queryArrears response',
    readBy: 'services/billing (GET /api/v1/accounts/{accountNo}/arrears)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['accountNo', 'items', 'totalFen'],
      properties: {
        accountNo: { type: 'string', minLength: 1, description: 'the account asked for ($request.accountNo when the system does not echo it)' },
        holderName: { type: ['string', 'null'], description: `account holder's name, ${MASKED}` },
        items: {
          type: 'array',
          description: 'one entry per unpaid bill (each: … → always a list, empty when nothing is owed)',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['billMonth', 'amountFen'],
            properties: {
              billMonth: { type: 'string', minLength: 1, description: 'month of the bill, yyyyMM' },
              amountFen: { type: 'integer', description: 'amount owed', 'x-unit': 'fen' },
              lateFeeFen: { type: ['integer', 'null'], description: 'late fee (违约金)', 'x-unit': 'fen' },
              status: { type: ['string', 'null'], description: 'UNPAID or PARTLY_PAID' },
            },
          },
        },
        totalFen: { type: 'integer', description: 'total owed, late fees included', 'x-unit': 'fen' },
      },
    },
  },
};

const FIND_CUSTOMERS: CanonicalOperation = {
  name: 'marketing.findCustomersByIdentity',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['certNo', 'name'],
    properties: {
      certNo: { type: 'string', description: 'resident ID number, 18 characters' },
      name: { type: 'string', description: 'real name' },
      mobile: { type: ['string', 'null'], description: 'mobile number, when Alipay shared it' },
      certType: { type: ['string', 'null'], description: 'certificate type as Alipay names it (IDENTITY_CARD)' },
    },
  },
  response: {
    name: 'marketing.findCustomersByIdentity response',
    title: 'canonical marketing.findCustomersByIdentity response',
    readBy: 'services/binding (binding candidates)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['customers'],
      properties: {
        customers: {
          type: 'array',
          description: 'accounts of this holder; nobody found is an empty list, never an error',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['accountNo'],
            properties: {
              accountNo: { type: 'string', minLength: 1, description: 'electricity account number (户号)' },
              holderName: { type: ['string', 'null'], description: `holder's name, ${MASKED}` },
              address: { type: ['string', 'null'], description: `address of the supply point, ${MASKED}` },
              orgNo: { type: ['string', 'null'], description: 'power supply unit code' },
            },
          },
        },
      },
    },
  },
};

const SMS_SEND: CanonicalOperation = {
  name: 'sms.send',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['mobile', 'kind', 'params', 'outId'],
    properties: {
      mobile: { type: 'string', description: 'mobile number, 11 digits' },
      kind: { type: 'string', description: 'BILL_ISSUED, ARREARS_REMINDER, PAYMENT_RESULT or OUTAGE_NOTICE' },
      params: { type: 'object', description: 'template parameters' },
      outId: { type: 'string', description: "the bus's id of the message (idempotency at the platform)" },
    },
  },
  response: {
    name: 'sms.send response',
    title: 'canonical sms.send response',
    readBy: 'the SMS fallback of notifications',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['messageId'],
      properties: { messageId: { type: 'string', minLength: 1, description: "the platform's id of the message" } },
    },
  },
};

const UPDATE_ARCHIVE: CanonicalOperation = {
  name: 'marketing.updateArchive',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['serial', 'accountNo', 'certNo', 'name'],
    properties: {
      serial: { type: 'string', description: "the bus's idempotency key of this update (the outbox row's serial): the system applies it once" },
      accountNo: { type: 'string', pattern: '^[0-9]{10}$', description: 'electricity account number (户号), 10 digits' },
      certNo: { type: 'string', description: "holder's resident ID number, 18 characters" },
      mobile: { type: ['string', 'null'], description: 'mobile number, when Alipay shared it' },
      name: { type: 'string', description: "holder's real name" },
    },
  },
  response: {
    name: 'marketing.updateArchive response',
    title: 'canonical marketing.updateArchive response',
    readBy: 'services/outbox (closed-loop delivery)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['outcome'],
      properties: {
        outcome: { type: 'string', description: 'APPLIED, or ALREADY_DONE when the system had applied this serial before (counts as delivered)' },
      },
    },
  },
};

const QUERY_ARCHIVE_UPDATE: CanonicalOperation = {
  name: 'marketing.queryArchiveUpdate',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['serial'],
    properties: { serial: { type: 'string', description: 'the serial of an archive update the outbox sent' } },
  },
  response: {
    name: 'marketing.queryArchiveUpdate response',
    title: 'canonical marketing.queryArchiveUpdate response',
    readBy: 'services/outbox (settles an unknown outcome of marketing.updateArchive)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['found'],
      properties: { found: { type: 'boolean', description: 'whether the system applied this serial' } },
    },
  },
};

const SERIAL = "the bus's idempotency key (the order's out_trade_no, a refund's out_request_no): the system applies a serial once";
const ACCOUNT_NO = { type: 'string', pattern: '^[0-9]{10}$', description: 'electricity account number (户号), 10 digits' };

const WRITE_OFF: CanonicalOperation = {
  name: 'marketing.writeOff',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['serial', 'accountNo', 'amountFen', 'paidAt', 'channel'],
    properties: {
      serial: { type: 'string', minLength: 1, description: SERIAL },
      accountNo: ACCOUNT_NO,
      amountFen: { type: 'integer', description: 'amount paid, > 0', 'x-unit': 'fen' },
      paidAt: { type: 'string', description: 'when it was paid, ISO 8601 with offset (2026-12-04T10:15:00+08:00)' },
      channel: { type: 'string', minLength: 1, description: 'collection channel, 1..16 characters (ALIPAY)' },
      tradeNo: { type: ['string', 'null'], description: "the channel's trade number (Alipay trade_no)" },
    },
  },
  response: {
    name: 'marketing.writeOff response',
    title: 'canonical marketing.writeOff response',
    readBy: 'services/outbox for the payment service (write-off of a paid order)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['outcome', 'writeOffNo'],
      properties: {
        outcome: { type: 'string', enum: ['APPLIED', 'ALREADY_DONE'], description: 'APPLIED, or ALREADY_DONE when the system had applied this serial before (counts as done)' },
        writeOffNo: { type: ['string', 'null'], description: "the system's number of the write-off; null when it does not say (map it, or { const: null })" },
      },
    },
  },
};

const QUERY_PAYMENT: CanonicalOperation = {
  name: 'marketing.queryPayment',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['serial'],
    properties: { serial: { type: 'string', minLength: 1, description: 'the serial of a write-off or a reversal' } },
  },
  response: {
    name: 'marketing.queryPayment response',
    title: 'canonical marketing.queryPayment response',
    readBy: 'services/outbox (settles an unknown outcome of marketing.writeOff and marketing.reverseWriteOff), the payment service',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['found', 'kind', 'status', 'amountFen'],
      properties: {
        found: { type: 'boolean', description: 'whether the system applied this serial (a write-off or a reversal)' },
        kind: { type: ['string', 'null'], enum: ['WRITE_OFF', 'REVERSAL', null], description: 'WRITE_OFF or REVERSAL; null when not found' },
        status: { type: ['string', 'null'], enum: ['POSTED', 'REVERSED', null], description: 'POSTED, or REVERSED once nothing of the write-off is left; null when not found' },
        amountFen: { type: ['integer', 'null'], description: 'the amount of the write-off or reversal; null when not found', 'x-unit': 'fen' },
      },
    },
  },
};

const REVERSE_WRITE_OFF: CanonicalOperation = {
  name: 'marketing.reverseWriteOff',
  request: {
    type: 'object',
    additionalProperties: false,
    required: ['serial', 'originalSerial', 'accountNo', 'amountFen'],
    properties: {
      serial: { type: 'string', minLength: 1, description: SERIAL },
      originalSerial: { type: 'string', minLength: 1, description: 'the serial of the write-off given back' },
      accountNo: ACCOUNT_NO,
      amountFen: { type: 'integer', description: 'amount given back, > 0 and at most what is left of the write-off', 'x-unit': 'fen' },
      reason: { type: ['string', 'null'], description: "the operator's reason of the refund" },
    },
  },
  response: {
    name: 'marketing.reverseWriteOff response',
    title: 'canonical marketing.reverseWriteOff response',
    readBy: 'services/outbox for the payment service (reversal after a refund)',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['outcome'],
      properties: {
        outcome: { type: 'string', enum: ['APPLIED', 'ALREADY_DONE'], description: 'APPLIED, or ALREADY_DONE when the system had applied this serial before (counts as done)' },
      },
    },
  },
};

export const CANONICAL_OPERATIONS: Record<string, CanonicalOperation> = Object.fromEntries(
  [QUERY_ARREARS, FIND_CUSTOMERS, SMS_SEND, UPDATE_ARCHIVE, QUERY_ARCHIVE_UPDATE, WRITE_OFF, QUERY_PAYMENT, REVERSE_WRITE_OFF, ...PLATE_OPERATIONS].map((op) => [op.name, op]),
);
