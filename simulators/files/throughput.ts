/**
 * Quick throughput check of the sample writers and the file parser (a local
 * measurement, not a test):
 *
 *   node -r ts-node/register/transpile-only simulators/files/throughput.ts [lines] [fixed|delimited|both]
 *   (or node dist/simulators/files/throughput.js after npm run build)
 *
 * Run from the repository root (or set MAPPINGS_DIR). Writes a sample file
 * of N lines (default 1,000,000) to the OS temp directory, parses and maps it
 * with the layout from mappings/files, prints lines/s and peak RSS, and
 * removes the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadFileLayouts, parseFile } from '../../core/mapping/files';
import { SampleLayout, sampleFileName, writeSampleFile } from './reconciliation-files';

const LAYOUT_NAMES: Record<SampleLayout, string> = {
  fixed: 'marketing.reconciliation-fixed',
  delimited: 'marketing.b-reconciliation-delimited',
};

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

async function measure(kind: SampleLayout, lines: number, mappingsDir: string): Promise<void> {
  const layout = loadFileLayouts(mappingsDir).get(LAYOUT_NAMES[kind]);
  if (!layout) throw new Error(`layout ${LAYOUT_NAMES[kind]} not found under ${mappingsDir}/files`);
  const fileName = sampleFileName(kind);
  const file = path.join(os.tmpdir(), `gridbus-throughput-${process.pid}-${fileName}`);
  try {
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    let t0 = process.hrtime.bigint();
    await writeSampleFile(kind, file, { count: lines });
    const writeSec = Number(process.hrtime.bigint() - t0) / 1e9;
    const size = fs.statSync(file).size;
    console.log(`${kind}: wrote ${lines.toLocaleString('en')} lines (${mb(size)}) in ${writeSec.toFixed(2)} s = ${Math.round(lines / writeSec).toLocaleString('en')} lines/s, peak RSS ${mb(peak)}`);

    peak = process.memoryUsage().rss;
    t0 = process.hrtime.bigint();
    let details = 0;
    let sum = 0;
    for await (const e of parseFile(layout, fs.createReadStream(file, { highWaterMark: 256 * 1024 }), { fileName })) {
      if (e.kind === 'detail') {
        details++;
        sum += e.record.amountFen as number;
      }
    }
    const parseSec = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `${kind}: parsed+mapped ${details.toLocaleString('en')} records (sum ${sum} fen, totals checked) in ${parseSec.toFixed(2)} s = ` +
        `${Math.round((details + 1) / parseSec).toLocaleString('en')} lines/s, ${mb(size / parseSec)}/s, peak RSS ${mb(peak)}`,
    );
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const which = (process.argv[3] ?? 'both') as SampleLayout | 'both';
  const mappingsDir = path.resolve(process.env.MAPPINGS_DIR ?? 'mappings');
  console.log(`RSS before: ${mb(process.memoryUsage().rss)} (node${process.execArgv.length ? ` ${process.execArgv.join(' ')}` : ''})`);
  for (const kind of which === 'both' ? (['fixed', 'delimited'] as const) : [which]) await measure(kind, lines, mappingsDir);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
