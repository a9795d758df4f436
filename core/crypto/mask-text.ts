import { DEFAULT_MASK_RULES, MaskRules } from './mask';

const normaliseKey = (key: string): string => key.replace(/[_-]/g, '').toLowerCase();

/**
 * Personal-data values found under known keys of `value`, each with its
 * masked form, longest first. Used to mask the same values wherever they
 * appear in raw text (a SOAP envelope) that has no keys to go by.
 */
export function piiReplacements(value: unknown, rules: MaskRules = DEFAULT_MASK_RULES): Array<[string, string]> {
  const maskers = new Map(Object.entries(rules).map(([k, m]) => [normaliseKey(k), m]));
  const found = new Map<string, string>();
  const walk = (v: unknown, masker?: (s: string) => string, depth = 0): void => {
    if (depth > 32) return;
    if (masker && (typeof v === 'string' || typeof v === 'number')) {
      const text = String(v);
      if (text.length >= 2) found.set(text, masker(text));
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => walk(x, masker, depth + 1));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, maskers.get(normaliseKey(k)), depth + 1);
    }
  };
  walk(value);
  return [...found.entries()].sort((a, b) => b[0].length - a[0].length);
}

export function maskTextWith(text: string, replacements: Array<[string, string]>): string {
  let out = text;
  for (const [original, masked] of replacements) out = out.split(original).join(masked);
  return out;
}
