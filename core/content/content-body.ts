import { GridbusError } from '../errors';
import { BodyFormat } from './categories';

/** An HTML tag, comment, doctype or processing instruction anywhere in the text (a browser reads `<` followed by a letter, `!`, `?` or `/` as markup; `a < b` is text). */
const HTML = /<[a-zA-Z!?/]/;
/** Markdown links and images to script or data URLs (the renderer would follow them). */
const UNSAFE_LINK = /\]\(\s*(javascript|vbscript|data):/i;

/**
 * A body is stored and served as written, so it must hold nothing a browser
 * would run: plain text, or Markdown the front end renders with HTML off. Any
 * tag is refused (naming the field), never stripped: the editor sees what was
 * wrong and nothing silently changes.
 */
export function checkBody(field: string, text: string, format: BodyFormat): void {
  if (HTML.test(text)) {
    throw new GridbusError('VALIDATION_FAILED', `${field} must not contain HTML (a tag starting '<'): write plain text or Markdown`, {
      details: { problems: [{ field, type: 'noHtml', message: `${field} must not contain HTML tags` }] },
    });
  }
  if (format === 'markdown' && UNSAFE_LINK.test(text)) {
    throw new GridbusError('VALIDATION_FAILED', `${field} has a link to a javascript:, vbscript: or data: URL`, {
      details: { problems: [{ field, type: 'unsafeLink', message: `${field} links only to http(s) or relative URLs` }] },
    });
  }
}
