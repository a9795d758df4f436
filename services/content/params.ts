import { BODY_FORMATS, CONTENT_CATEGORIES, CONTENT_STATES } from '../../core/content/categories';

/** Parameter schemas of the content actions (fastest-validator, as moleculer checks them). */
export const ID = { type: 'string', pattern: /^[1-9][0-9]{0,17}$/, messages: { stringPattern: 'id must be a positive integer' } };
export const CATEGORY = { type: 'enum', values: [...CONTENT_CATEGORIES] };
export const STATE = { type: 'enum', values: [...CONTENT_STATES] };
export const PAGE = { type: 'number', integer: true, min: 1, max: 1000, optional: true, convert: true };
export const PAGE_SIZE = { type: 'number', integer: true, min: 1, max: 50, optional: true, convert: true };
export const VERSION = { type: 'number', integer: true, min: 1, convert: true };
/** An ISO 8601 date or date-time (with offset or Z when it has a time). */
export const INSTANT = {
  type: 'string',
  pattern: /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/,
  messages: { stringPattern: 'must be an ISO 8601 date (2026-12-05) or date-time with offset (2026-12-05T08:00:00+08:00)' },
};

/** The fields an editor writes of an article. */
export const CONTENT_FIELDS = {
  category: CATEGORY,
  title: { type: 'string', min: 1, max: 200, trim: true },
  summary: { type: 'string', max: 500, optional: true },
  body: { type: 'string', min: 1, max: 50000 },
  bodyFormat: { type: 'enum', values: [...BODY_FORMATS], optional: true },
  linkUrl: { type: 'url', max: 500, optional: true, nullable: true },
  tags: { type: 'array', items: { type: 'string', min: 1, max: 20, trim: true }, max: 10, optional: true },
  publishFrom: { ...INSTANT, optional: true, nullable: true },
  publishUntil: { ...INSTANT, optional: true, nullable: true },
};

const HHMM = { type: 'string', pattern: /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, messages: { stringPattern: 'must be HH:mm' } };

/** The fields an editor writes of an outlet. */
export const OUTLET_FIELDS = {
  name: { type: 'string', min: 1, max: 100, trim: true },
  address: { type: 'string', min: 1, max: 200, trim: true },
  phone: { type: 'string', pattern: /^[0-9+() -]{3,30}$/, optional: true, nullable: true, messages: { stringPattern: 'phone must be digits, spaces, +, - or parentheses' } },
  lat: { type: 'number', min: -90, max: 90 },
  lng: { type: 'number', min: -180, max: 180 },
  hours: {
    type: 'array',
    max: 28,
    items: { type: 'object', strict: true, props: { weekday: { type: 'number', integer: true, min: 1, max: 7 }, opens: HHMM, closes: HHMM } },
  },
  services: { type: 'array', items: { type: 'string', min: 1, max: 40, trim: true }, max: 20, optional: true },
  active: { type: 'boolean', optional: true },
};
