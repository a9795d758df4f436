/**
 * Chinese full-text search without a PostgreSQL extension (docs/decisions.md,
 * issue 12 content): the databases run with the C locale, where pg_trgm
 * extracts no trigram from Chinese text, and a two-character query such as
 * 停电 has no trigram anyway. So text is cut here into Han unigrams and
 * overlapping bigrams (each at the position of its first character) and
 * Latin/digit words; the lexemes go into a tsvector with positions and
 * weights, searched through a GIN index. A query's Han run becomes a phrase
 * of its bigrams (停电通知 → 停电 <-> 电通 <-> 通知), so it matches that
 * exact sequence; a single Han character matches its unigram; a word matches
 * as a prefix.
 */

const HAN = /\p{Script=Han}/u;
/** A run of Han characters, or of letters/digits of other scripts. */
const SEGMENT = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;
/** PostgreSQL keeps positions up to 16383. */
const MAX_POSITION = 16383;

export type Weight = 'A' | 'B' | 'C' | 'D';

function normalise(text: string): string {
  // full-width letters and digits (ＡＰＰ, ９５５９８) as their ASCII forms; case does not matter
  return text.normalize('NFKC').toLowerCase();
}

function segments(text: string): Array<{ han: boolean; text: string }> {
  const out: Array<{ han: boolean; text: string }> = [];
  for (const m of normalise(text).matchAll(SEGMENT)) out.push({ han: m[1] !== undefined, text: m[0] });
  return out;
}

/** A lexeme as tsvector/tsquery input text: quoted, quotes and backslashes escaped. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsvector input text of some fields, each with its weight: title A, tags
 * and summary B, body D (`'停电':3A '停':3A …`). Positions run on across the
 * fields, with a gap between runs so no phrase spans two of them.
 */
export function searchVectorText(fields: Array<{ text: string; weight: Weight }>): string {
  const positions = new Map<string, string[]>();
  let pos = 1;
  const put = (lexeme: string, at: number, weight: Weight) => {
    const list = positions.get(lexeme) ?? [];
    if (list.length < 256) list.push(`${Math.min(at, MAX_POSITION)}${weight}`);
    positions.set(lexeme, list);
  };
  for (const field of fields) {
    for (const seg of segments(field.text)) {
      if (seg.han) {
        const chars = [...seg.text];
        chars.forEach((c, i) => {
          put(c, pos + i, field.weight);
          if (i + 1 < chars.length) put(c + chars[i + 1], pos + i, field.weight);
        });
        pos += chars.length + 1;
      } else {
        put(seg.text, pos, field.weight);
        pos += 2;
      }
    }
    pos += 1;
  }
  return [...positions].map(([lexeme, at]) => `${quoteLexeme(lexeme)}:${at.join(',')}`).join(' ');
}

/** The tsquery input text of a user's query, or null when it has nothing searchable (only punctuation). */
export function searchQueryText(query: string): string | null {
  const terms = segments(query).map((seg) => {
    if (!seg.han) return `${quoteLexeme(seg.text)}:*`;
    const chars = [...seg.text];
    if (chars.length === 1) return quoteLexeme(chars[0]);
    const bigrams = chars.slice(0, -1).map((c, i) => quoteLexeme(c + chars[i + 1]));
    return bigrams.length === 1 ? bigrams[0] : `(${bigrams.join(' <-> ')})`;
  });
  return terms.length ? terms.join(' & ') : null;
}

export function hasHan(text: string): boolean {
  return HAN.test(text);
}
