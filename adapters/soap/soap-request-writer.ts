import { xmlEscape } from 'soap/lib/utils';

/**
 * node-soap's `WSDL.objectToDocumentXML` (the request body from the
 * arguments object), with its output kept as a template per *shape* of the
 * arguments: the same keys in the same order, the same array lengths, the
 * same kinds of values. node-soap walks the schema for every call (about
 * 25 µs for three fields); what it writes depends on the keys and the schema,
 * and of a text or number only on the text itself (escaped). So node-soap
 * writes each new shape once, with markers in place of the values, and later
 * calls of that shape only fill the escaped values in. Values whose writing
 * depends on more than their text (empty strings, null, undefined) are part
 * of the shape and written by node-soap as they are; anything else (dates,
 * buffers, attributes, `$xml`/`$value`, `_xml`, node-soap options that
 * rewrite keys) is always written by node-soap.
 */

export interface WritableWsdl {
  objectToDocumentXML(name: string, params: unknown, nsPrefix: string, nsURI: string, type: string, options?: Record<string, unknown>): string;
  options: { attributesKey?: string; valueKey?: string; xmlKey?: string; escapeXML?: boolean; overrideElementKey?: Record<string, unknown> };
}

type Slot = string | number | boolean;

interface Template {
  /** The text between the values; `parts.length === order.length + 1`. */
  parts: string[];
  /** For each gap, which value (in walking order) goes there. */
  order: number[];
}

const OPEN = '\u0001';
const CLOSE = '\u0002';
const MARKER = /\u0001(\d+)\u0002/g;
const MAX_SHAPES = 500;

export class SoapRequestWriter {
  private readonly templates = new Map<string, Template | null>();
  private readonly special: Set<string>;

  constructor(private readonly wsdl: WritableWsdl, private readonly write: WritableWsdl['objectToDocumentXML']) {
    const o = wsdl.options;
    this.special = new Set([o.attributesKey ?? 'attributes', o.valueKey ?? '$value', o.xmlKey ?? '$xml', '_xml']);
  }

  /** The same text as node-soap's objectToDocumentXML. */
  documentXml(name: string, params: unknown, nsPrefix: string, nsURI: string, type: string, options?: Record<string, unknown>): string {
    const o = this.wsdl.options;
    if ((options && options.overrideBaseElement) || (o.overrideElementKey && Object.keys(o.overrideElementKey).length > 0)) {
      return this.write.call(this.wsdl, name, params, nsPrefix, nsURI, type, options);
    }
    const values: Slot[] = [];
    const shape = this.shapeOf(params, values);
    if (shape === null) return this.write.call(this.wsdl, name, params, nsPrefix, nsURI, type, options);
    const key = `${name}\u0000${nsPrefix}\u0000${nsURI}\u0000${type}\u0000${shape}`;
    let template = this.templates.get(key);
    if (template === undefined) {
      template = this.compile(name, params, nsPrefix, nsURI, type, options, values.length);
      if (this.templates.size < MAX_SHAPES) this.templates.set(key, template);
    }
    if (template === null) return this.write.call(this.wsdl, name, params, nsPrefix, nsURI, type, options);
    const escape = o.escapeXML !== false;
    let out = template.parts[0];
    for (let i = 0; i < template.order.length; i++) {
      const v = values[template.order[i]];
      out += (typeof v === 'string' ? (escape ? xmlEscape(v) : v) : String(v)) + template.parts[i + 1];
    }
    return out;
  }

  /**
   * A key for the shape of `v`, pushing its filled-in values (non-empty texts,
   * numbers, booleans) onto `values`; null when node-soap must write it.
   */
  private shapeOf(v: unknown, values: Slot[]): string | null {
    switch (typeof v) {
      case 'string':
        if (v === '' || v.indexOf(OPEN) !== -1) return v === '' ? 'e' : null;
        values.push(v);
        return 's';
      case 'number':
        values.push(v);
        return 'n';
      case 'boolean':
        values.push(v);
        return 'b';
      case 'undefined':
        return 'u';
      case 'object': {
        if (v === null) return 'z';
        if (Array.isArray(v)) {
          let key = '[';
          for (let i = 0; i < v.length; i++) {
            const s = this.shapeOf(v[i], values);
            if (s === null) return null;
            key += i ? `,${s}` : s;
          }
          return `${key}]`;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return null;
        let key = '{';
        let first = true;
        for (const k in v) {
          if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
          if (this.special.has(k) || k.indexOf(OPEN) !== -1) return null;
          const s = this.shapeOf((v as Record<string, unknown>)[k], values);
          if (s === null) return null;
          key += `${first ? '' : ','}${JSON.stringify(k)}:${s}`;
          first = false;
        }
        return `${key}}`;
      }
      default:
        return null;
    }
  }

  /** node-soap writes the shape once, with a marker for each value; null when the markers do not come out one each. */
  private compile(name: string, params: unknown, nsPrefix: string, nsURI: string, type: string, options: Record<string, unknown> | undefined, count: number): Template | null {
    let n = 0;
    const marked = markValues(params, () => `${OPEN}${n++}${CLOSE}`);
    const xml = this.write.call(this.wsdl, name, marked, nsPrefix, nsURI, type, options);
    const parts: string[] = [];
    const order: number[] = [];
    const seen = new Set<number>();
    let last = 0;
    for (const m of xml.matchAll(MARKER)) {
      const index = Number(m[1]);
      if (index >= count || seen.has(index)) return null;
      seen.add(index);
      parts.push(xml.slice(last, m.index));
      order.push(index);
      last = m.index! + m[0].length;
    }
    parts.push(xml.slice(last));
    if (seen.size !== count || parts.some((p) => p.includes(OPEN) || p.includes(CLOSE))) return null;
    return { parts, order };
  }
}

/** A copy of `v` with every filled-in value (as `shapeOf` counts them, in the same order) replaced by a marker. */
function markValues(v: unknown, marker: () => string): unknown {
  switch (typeof v) {
    case 'string':
      return v === '' ? v : marker();
    case 'number':
    case 'boolean':
      return marker();
    case 'object': {
      if (v === null) return v;
      if (Array.isArray(v)) return v.map((x) => markValues(x, marker));
      const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
      for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) out[k] = markValues((v as Record<string, unknown>)[k], marker);
      return out;
    }
    default:
      return v;
  }
}
