/**
 * Trying a file layout or a topic shape of a draft set on a sample, before publishing: what
 * each line or message becomes, and why one is refused. Nothing is stored or sent; the same
 * compiled layout and shape run as on a channel (core/mapping/files, core/mapping/topics).
 */
import { Readable } from 'stream';
import { GridbusError, toErrorView } from '../errors';
import { CompiledBundle } from './bundle';
import { CompiledFileLayout, compileFileLayout, FileEncoding, FileEvent, parseFile, TotalsCheck } from './files';

export interface SampleError {
  /** 1-based line of the file or of the messages file; 0 for the whole file */
  lineNo: number;
  code: string;
  /** details.kind of the error: bad-record, bad-json, totals-mismatch, … */
  kind?: string;
  message: string;
}

export interface FileSampleRecord {
  lineNo: number;
  kind: 'header' | 'detail' | 'trailer';
  /** the columns (and derived values) as read */
  parsed?: Record<string, unknown>;
  /** detail lines: the canonical record the layout's map gives */
  canonical?: Record<string, unknown>;
}

export interface FileDryRun {
  layout: string;
  file: string;
  encoding: FileEncoding;
  lines: number;
  records: FileSampleRecord[];
  /** every refused line (read on past them), then a problem with the whole file if any */
  errors: SampleError[];
  /** count and sums against the header or trailer; `ok` false names the mismatch in `message` */
  totals: { ok: boolean; checks: TotalsCheck[]; message?: string };
  /** the file's name does not match the layout's fileName pattern (the channel would refuse it) */
  fileNameProblem?: string;
  ok: boolean;
}

export interface TopicSampleResult {
  /** 1-based: the message's line in the sample (1 for a single JSON document) */
  lineNo: number;
  outcome: 'record' | 'skip' | 'refused';
  /** the canonical records (one, or one per row of an envelope holding a list) */
  records?: Array<Record<string, unknown>>;
  operation?: string;
  table?: string;
  /** why it is skipped (another table, a delete, a tombstone) */
  reason?: string;
  error?: SampleError;
}

export interface TopicDryRun {
  shape: string;
  topic: string;
  results: TopicSampleResult[];
  ok: boolean;
}

const CONTEXT = { requestId: 'dry-run', now: new Date() };

function unknownName(kind: string, name: string, known: string[]): GridbusError {
  return new GridbusError('VALIDATION_FAILED', `the draft set has no ${kind} '${name}'; it has: ${known.join(', ') || '(none)'}`, { details: { [kind.replace(/ /g, '')]: name, known } });
}

function sampleError(err: unknown, lineNo: number): SampleError {
  const view = toErrorView(err);
  const details = (err as { data?: { kind?: string; line?: number } }).data;
  return { lineNo: details?.line ?? lineNo, code: view.code, ...(details?.kind ? { kind: details.kind } : {}), message: (err as Error).message ?? view.message };
}

/** The layout as compiled in the draft, without its detail map (to show the columns as read), or in another encoding. */
function variant(layout: CompiledFileLayout, bundle: CompiledBundle, change: { noMap?: boolean; encoding?: FileEncoding }): CompiledFileLayout {
  const def = layout.definition;
  const detail = { ...def.records.detail };
  if (change.noMap) delete (detail as { map?: unknown }).map;
  return compileFileLayout({ ...def, encoding: change.encoding ?? def.encoding, records: { ...def.records, detail } }, layout.file, { codes: bundle.codes });
}

async function collect(layout: CompiledFileLayout, content: Buffer, fileName: string): Promise<{ events: FileEvent[]; failure?: unknown }> {
  const events: FileEvent[] = [];
  try {
    // skip-and-report past every bad line, so one run lists them all
    for await (const e of parseFile(layout, Readable.from([content]), { fileName, onBadRecord: 'skip-and-report', maxSkipped: Number.MAX_SAFE_INTEGER, checkFileName: false, context: CONTEXT })) events.push(e);
    return { events };
  } catch (failure) {
    return { events, failure };
  }
}

/**
 * Reads a sample file with a layout of the draft set: each line's columns as read, each detail
 * line's canonical record, every refused line with its reason, and the totals check.
 */
export async function dryRunFileLayout(bundle: CompiledBundle, layoutName: string, content: Buffer, fileName: string, options: { encoding?: FileEncoding } = {}): Promise<FileDryRun> {
  const compiled = bundle.fileLayouts.get(layoutName);
  if (!compiled) throw unknownName('file layout', layoutName, [...bundle.fileLayouts.keys()]);
  const layout = options.encoding && options.encoding !== compiled.encoding ? variant(compiled, bundle, { encoding: options.encoding }) : compiled;
  const asRead = layout.detail.map ? variant(layout, bundle, { noMap: true }) : layout;

  const mapped = await collect(layout, content, fileName);
  const read = asRead === layout ? mapped : await collect(asRead, content, fileName);
  const parsedByLine = new Map<number, Record<string, unknown>>();
  for (const e of read.events) if (e.kind === 'header' || e.kind === 'detail' || e.kind === 'trailer') parsedByLine.set(e.lineNo, e.record);

  const records = new Map<number, FileSampleRecord>();
  for (const [lineNo, parsed] of parsedByLine) {
    const kind = (read.events.find((e) => 'lineNo' in e && e.lineNo === lineNo) as { kind: FileSampleRecord['kind'] }).kind;
    records.set(lineNo, { lineNo, kind, parsed });
  }
  const errors: SampleError[] = [];
  let summary: Extract<FileEvent, { kind: 'summary' }> | undefined;
  for (const e of mapped.events) {
    if (e.kind === 'skipped') {
      errors.push({ lineNo: e.lineNo, code: 'BACKEND_BAD_RESPONSE', kind: 'bad-record', message: e.reason });
      records.delete(e.lineNo);
    } else if (e.kind === 'summary') summary = e;
    else {
      const r = records.get(e.lineNo) ?? { lineNo: e.lineNo, kind: e.kind };
      if (e.kind === 'detail' && layout.detail.map) r.canonical = e.record;
      else r.parsed ??= e.record;
      records.set(e.lineNo, r);
    }
  }
  // a column read wrong before the map is reported by the read-only pass too: keep each line once
  if (read !== mapped) for (const e of read.events) if (e.kind === 'skipped' && !errors.some((x) => x.lineNo === e.lineNo)) errors.push({ lineNo: e.lineNo, code: 'BACKEND_BAD_RESPONSE', kind: 'bad-record', message: e.reason });

  let totals: FileDryRun['totals'] = { ok: true, checks: summary?.checks ?? [] };
  if (mapped.failure !== undefined) {
    const failure = sampleError(mapped.failure, 0);
    const data = (mapped.failure as { data?: { kind?: string; mismatches?: Array<{ check: string; against: string; expected: number; actual: number }> } }).data;
    if (data?.kind === 'totals-mismatch') {
      const checks = (data.mismatches ?? []).map((m) => ({ name: m.check, against: m.against, expected: m.expected, actual: m.actual, verified: true }));
      totals = { ok: false, checks, message: failure.message };
    }
    else {
      errors.push(failure);
      totals = { ok: false, checks: [], message: `not checked: ${failure.message}` };
    }
  }
  // with refused lines the parser does not hold a sum against the file (it proves nothing), a dry-run still shows it differs
  const differing = totals.checks.filter((c) => c.actual !== c.expected);
  if (totals.ok && differing.length) {
    totals = { ok: false, checks: totals.checks, message: differing.map((c) => `${c.name}: ${c.actual} read, ${c.against} says ${c.expected}${c.verified ? '' : ' (refused lines left out)'}`).join('; ') };
  }
  let fileNameProblem: string | undefined;
  if (layout.fileName && !layout.fileName.match(fileName.replace(/^.*[\\/]/, ''))) {
    fileNameProblem = `the name '${fileName.replace(/^.*[\\/]/, '')}' does not match the layout's fileName pattern ${layout.fileName.pattern}: a channel would refuse the file`;
  }
  errors.sort((a, b) => a.lineNo - b.lineNo);
  return {
    layout: layout.name,
    file: fileName,
    encoding: layout.encoding,
    lines: summary?.lines ?? Math.max(0, ...[...records.keys()], ...errors.map((e) => e.lineNo)),
    records: [...records.values()].sort((a, b) => a.lineNo - b.lineNo),
    errors,
    totals,
    ...(fileNameProblem ? { fileNameProblem } : {}),
    ok: errors.length === 0 && totals.ok,
  };
}

/**
 * The messages of a sample: a whole JSON document that is an object is one message, an array
 * is one message per element; anything else is one message per non-blank line (the form
 * `kafka-console-consumer` prints), each decoded from its own bytes in the shape's encoding.
 */
export function sampleMessages(content: Buffer): Array<{ lineNo: number; value: Buffer }> {
  let whole: unknown;
  try {
    whole = JSON.parse(content.toString('utf8'));
  } catch {
    whole = undefined;
  }
  if (Array.isArray(whole)) return whole.map((m, i) => ({ lineNo: i + 1, value: Buffer.from(JSON.stringify(m)) }));
  if (whole !== null && typeof whole === 'object' && content.toString('utf8').trim().split('\n').length > 1) return [{ lineNo: 1, value: content }];
  const out: Array<{ lineNo: number; value: Buffer }> = [];
  let start = 0;
  let lineNo = 0;
  while (start <= content.length) {
    let end = content.indexOf(0x0a, start);
    if (end < 0) end = content.length;
    lineNo++;
    const line = content.subarray(start, end > start && content[end - 1] === 0x0d ? end - 1 : end);
    if (line.toString('latin1').trim() !== '') out.push({ lineNo, value: line });
    start = end + 1;
  }
  return out;
}

/** Decodes sample messages with a topic shape of the draft set: the canonical record, the skip and its reason, or why it is refused. */
export function dryRunTopicShape(bundle: CompiledBundle, shapeName: string, content: Buffer): TopicDryRun {
  const shape = bundle.topicShapes.get(shapeName);
  if (!shape) throw unknownName('topic shape', shapeName, [...bundle.topicShapes.keys()]);
  const results: TopicSampleResult[] = sampleMessages(content).map(({ lineNo, value }) => {
    try {
      const r = shape.decode(value, CONTEXT);
      if (r.action === 'skip') return { lineNo, outcome: 'skip', reason: r.reason };
      // one message may give several rows (an envelope whose record path holds a list)
      const got = r as { records?: Array<Record<string, unknown>>; record?: Record<string, unknown>; operation?: string; table?: string };
      return { lineNo, outcome: 'record', records: got.records ?? (got.record ? [got.record] : []), ...(got.operation !== undefined ? { operation: got.operation } : {}), ...(got.table !== undefined ? { table: got.table } : {}) };
    } catch (err) {
      return { lineNo, outcome: 'refused', error: sampleError(err, lineNo) };
    }
  });
  return { shape: shape.name, topic: shape.topic, results, ok: results.every((r) => r.outcome !== 'refused') };
}
