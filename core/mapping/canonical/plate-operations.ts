import { CanonicalFieldSchema, CanonicalObjectSchema } from './canonical-shape';
import type { CanonicalOperation } from './operations';

/**
 * The marketing system's operations behind the life-number plates (my
 * electricity, binding by account number, power services, e-bills). Money is
 * integer fen; kWh is exact decimal text ("123.45"), never a float; months
 * yyyyMM; dates yyyy-MM-dd; times ISO 8601 with offset.
 */

const ACCOUNT_NO: CanonicalFieldSchema = { type: 'string', pattern: '^[0-9]{10}$', description: 'electricity account number (户号), 10 digits' };
const ECHOED_ACCOUNT_NO: CanonicalFieldSchema = { type: 'string', minLength: 1, description: 'the account asked for ($request.accountNo when the system does not echo it)' };
const MONTH: CanonicalFieldSchema = { type: 'string', pattern: '^[0-9]{6}$', description: 'month, yyyyMM' };
const DATE: CanonicalFieldSchema = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'day, yyyy-MM-dd (Asia/Shanghai)' };
const KWH_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';
const kwh = (description: string): CanonicalFieldSchema => ({ type: 'string', pattern: KWH_PATTERN, description: `${description}, exact decimal text ("123.45")`, 'x-unit': 'kWh' });
const fen = (description: string): CanonicalFieldSchema => ({ type: 'integer', description, 'x-unit': 'fen' });
const ISO_TIME = 'ISO 8601 with offset (2026-12-04T10:15:00+08:00)';
const SERIAL: CanonicalFieldSchema = { type: 'string', minLength: 1, description: "the bus's idempotency key (the outbox row's serial): the system applies a serial once" };
const OUTCOME: CanonicalFieldSchema = {
  type: 'string',
  enum: ['APPLIED', 'ALREADY_DONE'],
  description: 'APPLIED, or ALREADY_DONE when the system had applied this serial before (counts as done)',
};

const object = (required: string[], properties: CanonicalObjectSchema['properties'], description?: string): CanonicalObjectSchema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
  ...(description ? { description } : {}),
});

const response = (name: string, readBy: string, schema: CanonicalObjectSchema): CanonicalOperation['response'] => ({
  name: `${name} response`,
  title: `canonical ${name} response`,
  readBy,
  schema,
});

const VERIFY_HOLDER: CanonicalOperation = {
  name: 'marketing.verifyHolder',
  request: object(['accountNo'], {
    accountNo: ACCOUNT_NO,
    holderName: { type: ['string', 'null'], description: "the holder's name as the user typed it (at least one of holderName, certNoTail)" },
    certNoTail: { type: ['string', 'null'], pattern: '^[0-9]{3,5}[0-9Xx]$', description: "the last 4 to 6 characters of the holder's ID number" },
  }),
  response: response(
    'marketing.verifyHolder',
    'services/binding (manual binding by account number)',
    object(['accountNo', 'matched', 'holderNameMasked'], {
      accountNo: ECHOED_ACCOUNT_NO,
      matched: { type: 'boolean', description: 'whether every piece given matches the holder on record' },
      holderNameMasked: { type: ['string', 'null'], description: "the holder's name, masked by the mapping (mask: name); null when not matched" },
    }),
  ),
};

const BILL_STATUS = ['PAID', 'UNPAID', 'PARTLY_PAID'];

const LIST_BILLS: CanonicalOperation = {
  name: 'marketing.listBills',
  request: object(['accountNo', 'fromMonth', 'toMonth'], { accountNo: ACCOUNT_NO, fromMonth: MONTH, toMonth: MONTH }),
  response: response(
    'marketing.listBills',
    'services/electricity (monthly bills)',
    object(['accountNo', 'items'], {
      accountNo: ECHOED_ACCOUNT_NO,
      items: {
        type: 'array',
        description: 'the bills of the months from fromMonth to toMonth, newest first; none is an empty list',
        items: object(['billMonth', 'amountFen', 'kWh', 'paidFen', 'status', 'issuedAt'], {
          billMonth: MONTH,
          amountFen: fen('amount of the bill (late fees not included)'),
          kWh: kwh('electricity billed'),
          paidFen: fen('paid of it so far'),
          status: { type: 'string', enum: BILL_STATUS, description: 'PAID, UNPAID or PARTLY_PAID' },
          issuedAt: { ...DATE, description: 'day the bill was issued, yyyy-MM-dd' },
        }),
      },
    }),
  ),
};

const GET_BILL: CanonicalOperation = {
  name: 'marketing.getBill',
  request: object(['accountNo', 'billMonth'], { accountNo: ACCOUNT_NO, billMonth: MONTH }),
  response: response(
    'marketing.getBill',
    'services/electricity (e-bill detail); BILL_NOT_FOUND when the month has no bill',
    object(['accountNo', 'billMonth', 'totalFen', 'kWh', 'periods', 'charges'], {
      accountNo: ECHOED_ACCOUNT_NO,
      billMonth: MONTH,
      totalFen: fen('amount of the bill, the sum of its charges'),
      kWh: kwh('electricity billed, the sum of the periods'),
      periods: {
        type: 'array',
        description: 'kWh and energy charge by tariff period (time of use)',
        items: object(['period', 'kWh', 'amountFen'], {
          period: { type: 'string', enum: ['SHARP', 'PEAK', 'FLAT', 'VALLEY'], description: 'SHARP (尖), PEAK (峰), FLAT (平) or VALLEY (谷)' },
          kWh: kwh('electricity of the period'),
          amountFen: fen('energy charge of the period'),
        }),
      },
      charges: {
        type: 'array',
        description: 'charges by item (电度电费, 基金及附加, ...); they add up to totalFen',
        items: object(['item', 'amountFen'], {
          item: { type: 'string', minLength: 1, description: 'name of the charge item as the system names it' },
          amountFen: fen('amount of the item'),
        }),
      },
      meterReadings: {
        type: 'array',
        description: 'the register readings billed, one per meter (optional: a system may not say)',
        items: object(['meterNo', 'previous', 'current'], {
          meterNo: { type: 'string', minLength: 1, description: 'meter (asset) number' },
          previous: kwh('reading at the start of the month'),
          current: kwh('reading at the end of the month'),
        }),
      },
    }),
  ),
};

const GET_BALANCE: CanonicalOperation = {
  name: 'marketing.getBalance',
  request: object(['accountNo'], { accountNo: ACCOUNT_NO }),
  response: response(
    'marketing.getBalance',
    'services/electricity (balance, low-balance threshold of prepaid accounts)',
    object(['accountNo', 'prepaid', 'balanceFen', 'asOf'], {
      accountNo: ECHOED_ACCOUNT_NO,
      prepaid: { type: 'boolean', description: 'true for a prepaid (预付费) account, false for a postpaid one' },
      balanceFen: fen('a prepaid account: what is left to use; a postpaid one: its deposit (预存), may be 0'),
      asOf: { type: 'string', minLength: 1, description: `when the system computed the balance, ${ISO_TIME}` },
    }),
  ),
};

const LIST_PAYMENTS: CanonicalOperation = {
  name: 'marketing.listPayments',
  request: object(['accountNo', 'fromDate', 'toDate'], { accountNo: ACCOUNT_NO, fromDate: DATE, toDate: DATE }),
  response: response(
    'marketing.listPayments',
    'services/electricity (payment records: the bus\'s own and the marketing system\'s)',
    object(['accountNo', 'items'], {
      accountNo: ECHOED_ACCOUNT_NO,
      items: {
        type: 'array',
        description: 'payments posted from fromDate to toDate (local days, both included), newest first; write-offs made through the bus included',
        items: object(['serial', 'amountFen', 'paidAt', 'channel', 'status'], {
          serial: { type: 'string', minLength: 1, description: "the payment's serial (for the bus's own payments, the order's out_trade_no)" },
          amountFen: fen('amount paid'),
          paidAt: { type: 'string', minLength: 1, description: `when it was paid, ${ISO_TIME}` },
          channel: { type: 'string', minLength: 1, description: 'ALIPAY, WECHAT, BANK or COUNTER' },
          status: { type: 'string', enum: ['POSTED', 'REVERSED'], description: 'POSTED, or REVERSED once nothing of it is left' },
        }),
      },
    }),
  ),
};

const CREATE_TICKET: CanonicalOperation = {
  name: 'marketing.createTicket',
  request: object(['serial', 'kind', 'content', 'photoCount'], {
    serial: SERIAL,
    kind: { type: 'string', enum: ['ILLEGAL_USE', 'FEEDBACK', 'COMPLAINT'], description: 'ILLEGAL_USE (窃电举报), FEEDBACK (意见建议) or COMPLAINT (投诉)' },
    accountNo: { ...ACCOUNT_NO, type: ['string', 'null'], description: 'the account concerned, when there is one' },
    content: { type: 'string', minLength: 1, description: "the user's text, 1..500 characters" },
    contactMobile: { type: ['string', 'null'], description: 'mobile number to call back, 11 digits' },
    photoCount: { type: 'integer', description: 'photos the bus keeps with the report, 0..9' },
    location: object(
      ['lat', 'lng'],
      { lat: { type: 'number', description: 'latitude, WGS-84' }, lng: { type: 'number', description: 'longitude, WGS-84' } },
      "where it was seen (the photo's EXIF location, or the user's); optional",
    ),
  }),
  response: response(
    'marketing.createTicket',
    'services/power through services/outbox (reports and feedback become tickets)',
    object(['ticketNo', 'outcome'], {
      ticketNo: { type: 'string', minLength: 1, description: "the system's number of the ticket (the same one on a repeat)" },
      outcome: {
        type: 'string',
        enum: ['CREATED', 'ALREADY_DONE'],
        description: 'CREATED, or ALREADY_DONE when the system had created a ticket for this serial before (the same ticketNo; counts as done)',
      },
    }),
  ),
};

const QUERY_TICKET: CanonicalOperation = {
  name: 'marketing.queryTicket',
  request: object(['serial'], { serial: { type: 'string', minLength: 1, description: 'the serial of a ticket the bus created' } }),
  response: response(
    'marketing.queryTicket',
    'services/outbox (settles an unknown outcome of marketing.createTicket), services/power (status followed back)',
    object(['found', 'ticketNo', 'status', 'reply', 'updatedAt'], {
      found: { type: 'boolean', description: 'whether the system created a ticket for this serial' },
      ticketNo: { type: ['string', 'null'], description: "the system's number of the ticket; null when not found" },
      status: { type: ['string', 'null'], enum: ['ACCEPTED', 'IN_PROGRESS', 'CLOSED', null], description: 'ACCEPTED (受理), IN_PROGRESS (处理中) or CLOSED (办结); null when not found' },
      reply: { type: ['string', 'null'], description: "the service staff's answer, once there is one" },
      updatedAt: { type: ['string', 'null'], description: `when the status last changed, ${ISO_TIME}; null when not found` },
    }),
  ),
};

const SUBSCRIBE_EBILL: CanonicalOperation = {
  name: 'marketing.subscribeEBill',
  request: object(['serial', 'accountNo', 'subscribe'], {
    serial: SERIAL,
    accountNo: ACCOUNT_NO,
    subscribe: { type: 'boolean', description: 'true subscribes to e-bills (instead of paper or SMS), false ends it' },
    email: { type: ['string', 'null'], description: 'where the system mails the e-bill too, when given' },
  }),
  response: response(
    'marketing.subscribeEBill',
    'services/electricity through services/outbox (e-bill subscription)',
    object(['outcome', 'subscribed'], {
      outcome: OUTCOME,
      subscribed: { type: 'boolean', description: 'whether the account is subscribed now' },
    }),
  ),
};

const GET_EBILL_SUBSCRIPTION: CanonicalOperation = {
  name: 'marketing.getEBillSubscription',
  request: object(['accountNo'], { accountNo: ACCOUNT_NO }),
  response: response(
    'marketing.getEBillSubscription',
    'services/electricity (e-bill subscription)',
    object(['accountNo', 'subscribed', 'since'], {
      accountNo: ECHOED_ACCOUNT_NO,
      subscribed: { type: 'boolean', description: 'whether the account receives e-bills' },
      since: { type: ['string', 'null'], description: `when it subscribed, ${ISO_TIME}; null when not subscribed` },
    }),
  ),
};

export const PLATE_OPERATIONS: CanonicalOperation[] = [
  VERIFY_HOLDER,
  LIST_BILLS,
  GET_BILL,
  GET_BALANCE,
  LIST_PAYMENTS,
  CREATE_TICKET,
  QUERY_TICKET,
  SUBSCRIBE_EBILL,
  GET_EBILL_SUBSCRIPTION,
];
