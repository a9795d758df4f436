import { GridbusError } from '../../core/errors';

/** The longest label, in characters (the column's check says the same). */
export const LABEL_MAX = 20;

/**
 * A user's label of a binding ("home", "parents", "爸妈家"): trimmed, inner
 * runs of white space made one space, 1-20 characters, no control
 * characters. Anything else is VALIDATION_FAILED naming the field.
 */
export function normaliseLabel(raw: string): string {
  const label = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  const problem = (message: string) =>
    new GridbusError('VALIDATION_FAILED', `label ${message}`, { details: { problems: [{ field: 'label', type: 'label', message: `label ${message}` }] } });
  if (!label) throw problem('is empty once trimmed');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]/u.test(label)) throw problem('holds control or invisible characters');
  if ([...label].length > LABEL_MAX) throw problem(`is longer than ${LABEL_MAX} characters`);
  return label;
}
