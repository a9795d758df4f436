import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import * as iconv from 'iconv-lite';
import { sampleRecord } from '../../../../../simulators/files/dataset';
import { sampleFileName, sampleFileStream, sampleTotals, writeSampleFile } from '../../../../../simulators/files/reconciliation-files';

async function text(stream: Readable, encoding: 'utf-8' | 'gbk'): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  const all = Buffer.concat(parts);
  return encoding === 'utf-8' ? all.toString('utf8') : iconv.decode(all, 'gbk');
}

describe('simulators/files - sample reconciliation files', () => {
  it('are deterministic per seed and differ between seeds', async () => {
    const a = await text(sampleFileStream('fixed', { count: 50 }), 'utf-8');
    const b = await text(sampleFileStream('fixed', { count: 50, linesPerChunk: 7 }), 'utf-8');
    const c = await text(sampleFileStream('fixed', { count: 50, seed: 2 }), 'utf-8');
    expect(a).to.equal(b);
    expect(a).to.not.equal(c);
    expect(sampleRecord(7)).to.deep.equal(sampleRecord(7));
  });

  it('write fixed lines of 501 bytes (header 118) whatever the names', async () => {
    const lines = (await text(sampleFileStream('fixed', { count: 200 }), 'utf-8')).split('\n');
    expect(lines.pop()).to.equal('');
    expect(Buffer.byteLength(lines[0])).to.equal(118);
    for (const l of lines.slice(1)) expect(Buffer.byteLength(l)).to.equal(501);
    expect(lines.some((l) => l.includes('𠮷'))).to.equal(true);
    expect(lines[0].slice(45, 56)).to.equal('00000000200');
  });

  it('write delimited GBK lines with CRLF and a header carrying the totals', async () => {
    const { sumFen } = sampleTotals({ count: 10 });
    const lines = (await text(sampleFileStream('delimited', { count: 10 }), 'gbk')).split('\r\n');
    expect(lines[0]).to.equal(`20250315|10|${sumFen}|B20250315001`);
    expect(lines[1].split('|')).to.have.length(11);
    expect(lines[1].split('|')[8]).to.match(/^\d{12}$/);
    expect(lines[1]).to.contain('缴费');
  });

  it('apply the faults they are asked for', async () => {
    const { sumFen } = sampleTotals({ count: 10 });
    const header = (await text(sampleFileStream('delimited', { count: 10, faults: { wrongCount: true, wrongTotal: true } }), 'gbk')).split('\r\n')[0];
    expect(header).to.equal(`20250315|11|${sumFen + 1}|B20250315001`);
    const fixed = (await text(sampleFileStream('fixed', { count: 3, faults: { malformedDetail: 1 } }), 'utf-8')).split('\n');
    expect(Buffer.byteLength(fixed[2])).to.equal(491);
    const gbk = await text(sampleFileStream('fixed', { count: 3, faults: { wrongEncoding: true } }), 'gbk');
    expect(gbk).to.contain(sampleRecord(0).payerName.replace('𠮷', '?'));
  });

  it('write a file and name it as the layout expects', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-samples-'));
    try {
      const info = await writeSampleFile('fixed', path.join(dir, 'f.txt'), { count: 1000, date: '2024-02-29', seq: 12 });
      expect(info).to.include({ fileName: 'DZ001002_01023340101020240229012.txt', count: 1000, headerCount: 1000 });
      expect(fs.statSync(path.join(dir, 'f.txt')).size).to.equal(118 + 1 + 1000 * 502);
      expect(sampleFileName('delimited', { date: '2024-02-29' })).to.equal('B_RECON_20240229_001.txt');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
