/** Parameter schemas (fastest-validator) of the electricity actions, with messages that say what is expected. */
export const ACCOUNT_NO = { type: 'string', pattern: /^[0-9]{10}$/, messages: { stringPattern: 'accountNo must be 10 digits' } };
export const MONTH = { type: 'string', pattern: /^[0-9]{6}$/, messages: { stringPattern: "'{field}' must be a month yyyyMM" } };
export const DAY = { type: 'string', pattern: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, messages: { stringPattern: "'{field}' must be a day yyyy-MM-dd" } };
export const optional = <T extends object>(schema: T) => ({ ...schema, optional: true });
/** Up to 1,000,000 yuan. */
export const MAX_THRESHOLD_FEN = 100_000_000;
