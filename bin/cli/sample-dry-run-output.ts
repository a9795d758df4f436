import type { FileDryRun, TopicDryRun } from '../../core/mapping/dry-run-samples';

const json = (v: unknown) => JSON.stringify(v);

/** A file dry-run as lines: each record as read and mapped, each refused line with its reason, the totals. */
export function describeFileDryRun(r: FileDryRun): string[] {
  const out = [`${r.file}: layout ${r.layout} (${r.encoding}), ${r.lines} line(s), ${r.records.filter((x) => x.kind === 'detail').length} detail record(s), ${r.errors.length} error(s)`];
  if (r.fileNameProblem) out.push(`! ${r.fileNameProblem}`);
  const errorsByLine = new Map(r.errors.map((e) => [e.lineNo, e]));
  const lines = [...new Set([...r.records.map((x) => x.lineNo), ...r.errors.map((e) => e.lineNo)])].sort((a, b) => a - b);
  for (const lineNo of lines) {
    const rec = r.records.find((x) => x.lineNo === lineNo);
    const err = errorsByLine.get(lineNo);
    if (rec) {
      out.push(`line ${lineNo} ${rec.kind}`);
      if (rec.parsed) out.push(`  read:      ${json(rec.parsed)}`);
      if (rec.canonical) out.push(`  canonical: ${json(rec.canonical)}`);
    }
    if (err) out.push(`${lineNo ? `line ${lineNo}` : 'file'} ✗ ${err.code}${err.kind ? ` (${err.kind})` : ''}: ${err.message}`);
  }
  if (r.totals.ok) {
    out.push(r.totals.checks.length ? `totals ok: ${r.totals.checks.map((c) => `${c.name} ${c.actual} = ${c.against} ${c.expected}${c.verified ? '' : ' (refused lines left out)'}`).join(', ')}` : 'totals: the layout checks none');
  } else {
    out.push(`totals ✗ ${r.totals.message}`);
    for (const c of r.totals.checks) out.push(`  ${c.name}: ${c.actual} read, ${c.against} says ${c.expected}`);
  }
  return out;
}

/** A topic dry-run as lines: per message its canonical record(s), the skip and its reason, or the refusal. */
export function describeTopicDryRun(r: TopicDryRun): string[] {
  const out = [`topic ${r.topic}: shape ${r.shape}, ${r.results.length} message(s), ${r.results.filter((x) => x.outcome === 'refused').length} refused`];
  for (const m of r.results) {
    const where = `message at line ${m.lineNo}`;
    if (m.outcome === 'record') {
      out.push(`${where}: ${m.records!.length} canonical record(s)${m.operation ? ` (operation ${m.operation}${m.table ? `, table ${m.table}` : ''})` : ''}`);
      for (const rec of m.records!) out.push(`  ${json(rec)}`);
    } else if (m.outcome === 'skip') out.push(`${where}: skipped: ${m.reason}`);
    else out.push(`${where} ✗ ${m.error!.code}${m.error!.kind ? ` (${m.error!.kind})` : ''}: ${m.error!.message}`);
  }
  return out;
}
