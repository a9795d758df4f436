/**
 * A fast reader for the SOAP responses a back office sends nearly always,
 * giving exactly what node-soap's `WSDL.xmlToObject` gives for them.
 *
 * node-soap reads a response with the `sax` parser and a handful of callbacks
 * that turn elements into objects, guided by the WSDL's schema (which
 * elements are lists, which text is a number, a boolean or a date). That
 * costs about 100 µs for a 1 kB answer, most of it in `sax`. This reader
 * scans the text once and applies the same rules (the code below mirrors
 * node-soap 1.13's callbacks line by line), but only for plain documents:
 * elements, namespace declarations, text with the XML entities, a leading
 * `<?xml ...?>`. Anything else (other attributes: `xsi:type`, `xsi:nil`,
 * `href`/`id` references, plain attributes; CDATA, comments, DOCTYPE, a SOAP
 * fault, mixed content, a response element node-soap has not looked up yet,
 * malformed XML) returns `UNREAD`, and the caller hands the text to node-soap.
 * test/unit/adapters/soap/soap-response-reader.spec.ts compares both on every
 * such case.
 */

export const UNREAD: unique symbol = Symbol('unread');

/** The parts of node-soap's WSDL object the reader uses. */
export interface ReadableWsdl {
  definitions: { messages: Record<string, { description(definitions: unknown): unknown } | undefined> };
  options: { attributesKey?: string; valueKey?: string; preserveWhitespace?: boolean; customDeserializer?: unknown };
}

const ENV_URI = 'http://schemas.xmlsoap.org/soap/envelope/';

/** node-soap's fixed outer schema (read only). */
const ENVELOPE_SCHEMA = {
  Envelope: {
    Header: { Security: { UsernameToken: { Username: 'string', Password: 'string' } } },
    Body: { Fault: { faultcode: 'string', faultstring: 'string', detail: 'string' } },
  },
};

/** node-soap's splitQName(...).name: the part after the prefix, of the part before any `|`. */
function localName(q: unknown): unknown {
  if (typeof q !== 'string') return q;
  const bar = q.indexOf('|');
  const top = bar === -1 ? q : q.slice(0, bar);
  return top.slice(top.indexOf(':') + 1);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function isEmptyObject(v: Record<string, unknown>): boolean {
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return false;
  return true;
}

// XML names, as sax checks them in strict mode
const NAME = /^[:_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][:_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u00B7\u0300-\u036F\u203F-\u2040.\d-]*$/;
const knownNames = new Set<string>();
function isXmlName(q: string): boolean {
  if (knownNames.has(q)) return true;
  if (!NAME.test(q)) return false;
  if (knownNames.size < 10_000) knownNames.add(q);
  return true;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

const NAMED_ENTITIES: Record<string, string> = Object.assign(Object.create(null), { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" });

/** Decodes the XML entities; `UNREAD` for anything sax would treat otherwise. */
function decode(text: string): string | typeof UNREAD {
  if (text.indexOf('&') === -1) return text;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = text.indexOf('&', i);
    if (amp === -1) return out + text.slice(i);
    const semi = text.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) return UNREAD;
    out += text.slice(i, amp);
    const name = text.slice(amp + 1, semi);
    if (name.charCodeAt(0) === 35 /* # */) {
      const hex = name.charCodeAt(1) === 120 /* x */;
      const digits = name.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return UNREAD;
      const code = parseInt(digits, hex ? 16 : 10);
      // sax accepts any code point, but leave the odd ones (NUL, surrogates, beyond Unicode) to it
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return UNREAD;
      out += String.fromCodePoint(code);
    } else {
      const v = NAMED_ENTITIES[name];
      if (v === undefined) return UNREAD;
      out += v;
    }
    i = semi + 1;
  }
}

/** What node-soap keeps per document besides the element stack. */
interface DocumentState {
  xmlns: Record<string, string>;
  envPrefix: string;
  objectName: string | null;
}

/** How node-soap's `p.ontext` converts the text of an element, by the local name of its schema type. */
const enum Conversion {
  Text,
  Integer,
  Number,
  Boolean,
  Date,
}

function conversionOf(schema: unknown): Conversion {
  const name = localName(schema);
  if (name === 'int' || name === 'integer' || name === 'short' || name === 'long') return Conversion.Integer;
  if (name === 'double' || name === 'float' || name === 'decimal') return Conversion.Number;
  if (name === 'bool' || name === 'boolean') return Conversion.Boolean;
  if (name === 'dateTime' || name === 'date') return Conversion.Date;
  return Conversion.Text;
}

/** An element name as written, with what node-soap derives from it (computed once per distinct name). */
interface Name {
  local: string;
  /** `${local}[]`: how a schema marks a list */
  list: string;
  /** `${local}[][]`: node-soap looks this up too */
  listOfList: string;
}

/** What node-soap decides for an element from its parent's schema: its own schema, and whether the parent keeps it in a list. */
interface Child {
  schema: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  inList: boolean;
  conversion: Conversion;
  /** node-soap's isStringElement: an empty element is '' rather than null */
  isString: boolean;
}

interface Frame {
  name: string | null;
  /** The qualified name as written, to check the closing tag against. */
  qname: string;
  object: unknown;
  schema: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  child: Child | null;
}

/** One per WSDL: names, message descriptions and schema look-ups are worked out once, not per response. */
export class SoapResponseReader {
  private readonly descriptions = new Map<string, unknown>();
  private readonly names = new Map<string, Name>();
  private children = new WeakMap<object, Map<string, Child>>();
  private readonly attributesKey: string;

  constructor(private readonly wsdl: ReadableWsdl) {
    this.attributesKey = wsdl.options.attributesKey ?? 'attributes';
  }

  /** True when node-soap's options change what a document means (then every response goes to node-soap). */
  usable(): boolean {
    const o = this.wsdl.options;
    return !o.preserveWhitespace && !o.customDeserializer && (o.attributesKey ?? 'attributes') === this.attributesKey;
  }

  /** Drops what was worked out (node-soap may have added message aliases while reading a document itself). */
  forget(): void {
    this.descriptions.clear();
    this.children = new WeakMap();
  }

  /** What `wsdl.xmlToObject(xml)` returns, or `UNREAD` when node-soap must read this one. */
  read(xml: string): unknown {
    if (!this.usable()) return UNREAD;
    try {
      return this.scan(xml);
    } catch {
      return UNREAD;
    }
  }

  private describe(name: string): unknown {
    let d = this.descriptions.get(name);
    if (d === undefined && !this.descriptions.has(name)) {
      const message = Object.prototype.hasOwnProperty.call(this.wsdl.definitions.messages, name) ? this.wsdl.definitions.messages[name] : undefined;
      d = message ? message.description(this.wsdl.definitions) : undefined;
      this.descriptions.set(name, d);
    }
    return d;
  }

  private nameOf(qname: string): Name | null {
    let n = this.names.get(qname);
    if (!n) {
      if (!isXmlName(qname)) return null;
      const local = localName(qname) as string;
      n = { local, list: `${local}[]`, listOfList: `${local}[][]` };
      if (this.names.size < 10_000) this.names.set(qname, n);
    }
    return n;
  }

  private scan(xml: string): unknown {
    const root: Record<string, unknown> = {};
    const stack: Frame[] = [{ name: null, qname: '', object: root, schema: ENVELOPE_SCHEMA, child: null }];
    const doc: DocumentState = { xmlns: {}, envPrefix: 'soap', objectName: null };
    let rootSeen = false;
    const n = xml.length;
    let i = 0;

    while (i < n) {
      const lt = xml.indexOf('<', i);
      const textEnd = lt === -1 ? n : lt;
      if (textEnd > i) {
        if (stack.length === 1) {
          // outside the document element only white space is allowed
          for (let k = i; k < textEnd; k++) if (!isSpace(xml.charCodeAt(k))) return UNREAD;
        } else if (this.text(stack[stack.length - 1], xml, i, textEnd) === UNREAD) {
          return UNREAD;
        }
      }
      if (lt === -1) break;
      const c = xml.charCodeAt(lt + 1);

      if (c === 63 /* ? */) {
        // the XML declaration (or another processing instruction) before the document element
        if (stack.length !== 1 || rootSeen) return UNREAD;
        const end = xml.indexOf('?>', lt + 2);
        if (end === -1) return UNREAD;
        i = end + 2;
        continue;
      }
      if (c === 33 /* ! */) return UNREAD; // comment, CDATA, DOCTYPE

      if (c === 47 /* / */) {
        const end = xml.indexOf('>', lt + 2);
        if (end === -1) return UNREAD;
        let nameEnd = end;
        while (nameEnd > lt + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--;
        const top = stack[stack.length - 1];
        // the closing tag must repeat the opening one
        if (stack.length === 1 || nameEnd - (lt + 2) !== top.qname.length || !xml.startsWith(top.qname, lt + 2)) return UNREAD;
        this.close(stack);
        i = end + 1;
        continue;
      }

      // an opening tag: name, then namespace declarations only
      if (stack.length === 1 && rootSeen) return UNREAD;
      let j = lt + 1;
      while (j < n) {
        const ch = xml.charCodeAt(j);
        if (isSpace(ch) || ch === 47 || ch === 62) break;
        j++;
      }
      const name = this.nameOf(xml.slice(lt + 1, j));
      if (!name) return UNREAD;
      const qname = xml.slice(lt + 1, j);
      let selfClosing = false;
      let declared: Array<[string, string]> | null = null;
      for (;;) {
        while (j < n && isSpace(xml.charCodeAt(j))) j++;
        if (j >= n) return UNREAD;
        const ch = xml.charCodeAt(j);
        if (ch === 62 /* > */) {
          j++;
          break;
        }
        if (ch === 47 /* / */) {
          if (xml.charCodeAt(j + 1) !== 62) return UNREAD;
          selfClosing = true;
          j += 2;
          break;
        }
        const eq = xml.indexOf('=', j);
        if (eq === -1) return UNREAD;
        const attr = xml.slice(j, eq).trimEnd();
        if (!/^xmlns(:[^\s=<>/'"]+)?$/.test(attr)) return UNREAD; // a real attribute: node-soap's job
        let q = eq + 1;
        while (q < n && isSpace(xml.charCodeAt(q))) q++;
        const quote = xml.charCodeAt(q);
        if (quote !== 34 && quote !== 39) return UNREAD;
        const close = xml.indexOf(quote === 34 ? '"' : "'", q + 1);
        if (close === -1) return UNREAD;
        const value = xml.slice(q + 1, close);
        if (value.indexOf('&') !== -1 || value.indexOf('<') !== -1) return UNREAD;
        (declared ??= []).push([attr, value]);
        j = close + 1;
        // sax wants white space between attributes
        const after = xml.charCodeAt(j);
        if (!(isSpace(after) || after === 62 || after === 47)) return UNREAD;
      }
      if (this.open(stack, qname, name, declared, doc) === UNREAD) return UNREAD;
      rootSeen = true;
      if (selfClosing) this.close(stack);
      i = j;
    }
    if (stack.length !== 1 || !rootSeen) return UNREAD;
    return root.Envelope ? root.Envelope : root;
  }

  /** node-soap's `p.onopentag`, for an element whose only attributes are namespace declarations. */
  private open(stack: Frame[], qname: string, name: Name, declared: Array<[string, string]> | null, doc: DocumentState): typeof UNREAD | void {
    const originalName = name.local;
    const top = stack[stack.length - 1];
    // text, then an element: mixed content
    if (!isPlainObject(top.object)) return UNREAD;
    // a fault is read by node-soap, which turns it into its error
    if (top.name === 'Body' && originalName === 'Fault') return UNREAD;
    if (declared) {
      for (const [attr, value] of declared) {
        const prefix = localName(attr) as string;
        doc.xmlns[prefix] = value;
        if (value === ENV_URI) doc.envPrefix = prefix;
      }
    }
    let child: Child | typeof UNREAD;
    if (!doc.objectName && doc.xmlns[doc.envPrefix] && top.name === 'Body') {
      // node-soap's schema for the response element is its message's description
      const messages = this.wsdl.definitions.messages;
      // (node-soap looks up and keeps the message of an unknown `...Response` element itself)
      if (!Object.prototype.hasOwnProperty.call(messages, originalName) || !messages[originalName]) return UNREAD;
      child = this.resolve(this.describe(originalName), name);
      if (child === UNREAD) return UNREAD;
      // the parent's list marks are still the Body's own
      child = { ...child, inList: !!(top.schema && top.schema[name.list]) };
      doc.objectName = originalName;
    } else if (top.schema !== null && typeof top.schema === 'object') {
      let known = this.children.get(top.schema);
      if (!known) this.children.set(top.schema, (known = new Map()));
      let found = known.get(originalName);
      if (!found) {
        const resolved = this.resolve(top.schema, name);
        if (resolved === UNREAD) return UNREAD;
        known.set(originalName, (found = resolved));
      }
      child = found;
    } else {
      child = this.resolve(top.schema, name);
      if (child === UNREAD) return UNREAD;
    }
    stack.push({ name: originalName, qname, object: {}, schema: child.schema, child });
  }

  /** node-soap's schema look-up for an element under a parent whose schema is `topSchema` (the same expressions). */
  private resolve(topSchema: any, n: Name): Child | typeof UNREAD { // eslint-disable-line @typescript-eslint/no-explicit-any
    const originalName = n.local;
    const arrayName = n.list;
    let name = originalName;
    const inList = !!(topSchema && topSchema[arrayName]);
    if (inList) name = arrayName;
    const schemaFromParent = topSchema && (topSchema[originalName] || topSchema[arrayName] || topSchema[name] || topSchema[name === arrayName ? n.listOfList : arrayName]);
    const messages = this.wsdl.definitions.messages;
    // (an inherited name such as `constructor` would make node-soap call what is not a message: its business)
    if (messages[originalName] && !Object.prototype.hasOwnProperty.call(messages, originalName)) return UNREAD;
    const responseSchema = messages[originalName] && (this.describe(originalName) as any); // eslint-disable-line @typescript-eslint/no-explicit-any
    const schema =
      schemaFromParent || (responseSchema && (responseSchema[originalName] || responseSchema[arrayName] || responseSchema[name] || responseSchema[name === arrayName ? n.listOfList : arrayName]));
    return { schema, inList, conversion: conversionOf(schema), isString: typeof schema === 'string' && localName(schema) === 'string' };
  }

  /** node-soap's `p.onclosetag` (no xsi:nil here). */
  private close(stack: Frame[]): void {
    const cur = stack.pop()!;
    let obj = cur.object;
    const topObject = stack[stack.length - 1].object as Record<string, unknown>;
    const child = cur.child!;
    // the closing tag repeats the opening one: same local name
    const name = cur.name as string;
    if (child.isString && typeof obj === 'object' && obj !== null && Object.keys(obj).length === 0) obj = cur.object = '';
    if (isPlainObject(obj) && isEmptyObject(obj)) obj = null;
    if (child.inList) {
      if (!topObject[name]) topObject[name] = [];
      (topObject[name] as unknown[]).push(obj);
    } else if (name in topObject) {
      if (!Array.isArray(topObject[name])) topObject[name] = [topObject[name]];
      (topObject[name] as unknown[]).push(obj);
    } else {
      topObject[name] = obj;
    }
  }

  /** node-soap's `p.ontext` for one run of text (entities decoded first, as sax does). */
  private text(top: Frame, xml: string, from: number, to: number): typeof UNREAD | void {
    // white space only: nothing to do (the common case between elements)
    let a = from;
    while (a < to && isSpace(xml.charCodeAt(a))) a++;
    if (a === to) return;
    const decoded = decode(xml.slice(from, to));
    if (decoded === UNREAD) return UNREAD;
    const text = decoded.trim();
    if (!text.length) return;
    // text after child elements: mixed content
    if (!isPlainObject(top.object) || !isEmptyObject(top.object)) return UNREAD;
    switch (top.child!.conversion) {
      case Conversion.Integer:
        top.object = parseInt(text, 10);
        break;
      case Conversion.Number:
        top.object = Number(text);
        break;
      case Conversion.Boolean:
        top.object = text.toLowerCase() === 'true' || text === '1';
        break;
      case Conversion.Date:
        top.object = new Date(text);
        break;
      default:
        top.object = text;
    }
  }
}
