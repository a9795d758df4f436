import { CanonicalShape } from './canonical-shape';

/** A payment line of a reconciliation file (file kind `reconciliation-record`, table reconciliation_record). */
export const RECONCILIATION_RECORD: CanonicalShape = {
  name: 'reconciliation-record',
  title: 'reconciliation record',
  readBy: 'core/files/reconciliation-ingest.ts (table reconciliation_record), the reconcile service',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['serial', 'accountNo', 'amountFen'],
    properties: {
      serial: { type: 'string', minLength: 1, description: "the collecting bank's serial, shared with our payment record", 'x-column': 'serial' },
      accountNo: { type: 'string', minLength: 1, description: 'electricity account number (户号)', 'x-column': 'account_no' },
      billMonth: { type: ['string', 'null'], pattern: '^[0-9]{6}$', description: 'month of the bill paid, yyyyMM', 'x-column': 'bill_month' },
      amountFen: { type: 'integer', description: 'amount paid', 'x-unit': 'fen', 'x-column': 'amount_fen' },
      paidAt: { type: ['string', 'null'], minLength: 1, description: 'when it was paid, ISO 8601 with offset (date: { out: iso })', 'x-column': 'paid_at' },
      payerName: { type: ['string', 'null'], description: 'payer name as the bank wrote it (not stored)' },
    },
  },
};

/** A daily freeze reading of a measuring point (reading kind `daily-reading`, table meter_daily_reading). */
export const DAILY_READING: CanonicalShape = {
  name: 'daily-reading',
  title: 'daily reading',
  readBy: 'core/collection/meter-reading-store.ts (table meter_daily_reading), collection.dailyUsage',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['meterPointId', 'dataDate'],
    properties: {
      meterPointId: { type: 'string', minLength: 1, description: 'measuring point id', 'x-column': 'mp_id' },
      dataDate: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'day of the reading, yyyy-MM-dd', 'x-column': 'data_date' },
      accountNo: {
        type: ['string', 'null'],
        description: 'electricity account number (户号); map it from the source, or `{ const: null }` when the system does not send it',
        'x-column': 'cons_no',
        'x-mustMap': true,
      },
      orgNo: { type: ['string', 'null'], description: 'power supply unit code', 'x-column': 'org_no' },
      readingTotal: { type: ['number', 'string', 'null'], description: 'total register (a number, or numeric text kept exactly)', 'x-unit': 'kWh', 'x-column': 'r_total' },
      readings: {
        type: 'array',
        description: 'tariff registers r1..r4 in this order; a missing register is null',
        'x-unit': 'kWh',
        'x-column': 'r1, r2, r3, r4',
        items: { type: ['number', 'string', 'null'], description: 'one tariff register' },
      },
      status: { type: ['string', 'null'], description: 'status as the collection system sends it', 'x-column': 'status' },
      collectedAt: { type: ['string', 'null'], description: 'when the meter was read, ISO 8601 with offset', 'x-column': 'coll_time' },
    },
  },
};

/** An outage bulletin of the data center's drop (file kind `outage-bulletin`, table outage_bulletin; services/content). */
export const OUTAGE_BULLETIN: CanonicalShape = {
  name: 'outage-bulletin',
  title: 'outage bulletin',
  readBy: 'core/content/outage-ingest.ts (table outage_bulletin), content.outages',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['bulletinId', 'areaCode', 'areaName', 'startsAt', 'endsAt', 'kind', 'issuedAt'],
    properties: {
      bulletinId: { type: 'string', minLength: 1, description: "the data center's bulletin id; a later bulletin with the same id replaces it", 'x-column': 'bulletin_id' },
      areaCode: { type: 'string', minLength: 1, description: 'administrative area code of the area affected (e.g. 330102)', 'x-column': 'area_code' },
      areaName: { type: 'string', minLength: 1, description: 'name of the area affected', 'x-column': 'area_name' },
      startsAt: { type: 'string', minLength: 1, description: 'when power goes off, ISO 8601 with offset (date: { out: iso })', 'x-column': 'starts_at' },
      endsAt: { type: 'string', minLength: 1, description: 'when power is back, ISO 8601 with offset; after startsAt', 'x-column': 'ends_at' },
      kind: { type: 'string', enum: ['PLANNED', 'FAULT'], description: 'PLANNED (maintenance) or FAULT (repair of a fault)', 'x-column': 'kind' },
      reason: { type: ['string', 'null'], description: 'why, as the data center words it', 'x-column': 'reason' },
      scope: { type: ['string', 'null'], description: 'streets, communities or lines affected', 'x-column': 'scope' },
      issuedAt: { type: 'string', minLength: 1, description: 'when this version of the bulletin was issued, ISO 8601 with offset; an older version never replaces a newer one', 'x-column': 'issued_at' },
    },
  },
};

/** File kinds (what a layout's detail records are) and reading kinds (what a topic shape's records are). */
export const FILE_KINDS: Record<string, CanonicalShape> = { [RECONCILIATION_RECORD.name]: RECONCILIATION_RECORD, [OUTAGE_BULLETIN.name]: OUTAGE_BULLETIN };
export const READING_KINDS: Record<string, CanonicalShape> = { [DAILY_READING.name]: DAILY_READING };
export const DEFAULT_FILE_KIND = RECONCILIATION_RECORD.name;
export const DEFAULT_READING_KIND = DAILY_READING.name;
