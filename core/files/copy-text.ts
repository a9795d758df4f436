/**
 * One row in PostgreSQL COPY text format: tab-separated, `\N` for null,
 * backslash, tab, newline and carriage return escaped.
 */
export function copyTextRow(values: ReadonlyArray<string | number | null | undefined>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += '\t';
    const v = values[i];
    if (v === null || v === undefined) line += '\\N';
    else if (typeof v === 'number') line += String(v);
    else line += /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
  }
  return `${line}\n`;
}
