import { expect } from 'chai';
import * as path from 'path';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../../core/db';
import { ingestReconciliationFile } from '../../../../core/files/reconciliation-ingest';
import { compileMappingFilesStrict, readMappingFiles } from '../../../../core/mapping';
import { CompiledFileLayout } from '../../../../core/mapping/files';
import { expectedCanonical } from '../../../../simulators/files/dataset';
import { sampleFileName, sampleFileStream, sampleTotals } from '../../../../simulators/files/reconciliation-files';
import { createFreshDatabase } from '../../../helpers/db';

/** Parse → map → COPY into PostgreSQL, in one transaction per file, with the layouts of the real mapping set. */
describe('core/files - reconciliation files into PostgreSQL with COPY', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let fixed: CompiledFileLayout;
  let delimited: CompiledFileLayout;

  before(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
    const bundle = compileMappingFilesStrict(readMappingFiles(path.resolve(__dirname, '../../../../mappings')), { MARKETING_WSDL_URL: 'http://x', SMS_URL: 'http://y', USERCENTER_URL: 'http://z' });
    fixed = bundle.fileLayouts.get('marketing.reconciliation-fixed')!;
    delimited = bundle.fileLayouts.get('marketing.b-reconciliation-delimited')!;
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const counts = async () => (await ds.query('SELECT (SELECT count(*)::int FROM inbound_file) AS files, (SELECT count(*)::int FROM reconciliation_record) AS records'))[0];

  it('loads every detail of a fixed-width UTF-8 file, exactly, with its totals checked', async () => {
    const opts = { count: 5000, seed: 3 };
    const name = sampleFileName('fixed', { seq: 1 });
    const r = await ingestReconciliationFile(ds, fixed, sampleFileStream('fixed', opts), { name, size: 1, mtime: 1 });
    expect(r).to.include({ duplicate: false, records: 5000 });
    const [sum] = await ds.query('SELECT count(*)::int AS n, sum(amount_fen)::bigint AS fen FROM reconciliation_record WHERE file_id = $1', [r.fileId]);
    expect(sum.n).to.equal(5000);
    expect(Number(sum.fen)).to.equal(sampleTotals(opts).sumFen);
    const [row] = await ds.query('SELECT serial, account_no, bill_month, amount_fen, paid_at FROM reconciliation_record WHERE file_id = $1 AND line_no = 2', [r.fileId]);
    const expected = expectedCanonical(0, opts);
    expect(row.serial).to.equal(expected.serial);
    expect(row.account_no).to.equal(expected.accountNo);
    expect(Number(row.amount_fen)).to.equal(expected.amountFen);
    expect(new Date(row.paid_at).toISOString()).to.equal(new Date(expected.paidAt).toISOString());
  });

  it('loads the same data from the pipe-delimited GBK layout into the same rows', async () => {
    const opts = { count: 300, seed: 3 };
    const r = await ingestReconciliationFile(ds, delimited, sampleFileStream('delimited', opts), { name: sampleFileName('delimited', { seq: 1 }), size: 2, mtime: 2 });
    expect(r.records).to.equal(300);
    const same = await ds.query(
      `SELECT count(*)::int AS n FROM reconciliation_record a JOIN reconciliation_record b ON a.serial = b.serial AND a.amount_fen = b.amount_fen AND a.account_no = b.account_no
        WHERE a.file_id = $1 AND b.file_id <> $1`,
      [r.fileId],
    );
    expect(same[0].n).to.equal(300);
  });

  it('takes a file only once (same layout, name, size and mtime)', async () => {
    const before = await counts();
    const r = await ingestReconciliationFile(ds, fixed, sampleFileStream('fixed', { count: 10, seed: 3 }), { name: sampleFileName('fixed', { seq: 1 }), size: 1, mtime: 1 });
    expect(r.duplicate).to.equal(true);
    expect(await counts()).to.deep.equal(before);
  });

  for (const [fault, pattern] of [
    ['wrongTotal', /total|sum/i],
    ['wrongCount', /count/i],
  ] as const) {
    it(`keeps nothing of a file whose trailer/header ${fault === 'wrongTotal' ? 'sum' : 'count'} does not match`, async () => {
      const before = await counts();
      const err = await ingestReconciliationFile(ds, fixed, sampleFileStream('fixed', { count: 2000, seed: 4, faults: { [fault]: true } }), {
        name: sampleFileName('fixed', { seq: 7 }),
        size: 7,
        mtime: fault === 'wrongTotal' ? 7 : 8,
      }).catch((e) => e);
      expect(err.type).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.message).to.match(pattern);
      expect(await counts()).to.deep.equal(before);
    });
  }

  it('keeps nothing of a file with a malformed line and names the line', async () => {
    const before = await counts();
    const err = await ingestReconciliationFile(ds, fixed, sampleFileStream('fixed', { count: 2500, seed: 5, faults: { malformedDetail: 1200 } }), {
      name: sampleFileName('fixed', { seq: 9 }),
      size: 9,
      mtime: 9,
    }).catch((e) => e);
    expect(err.type).to.equal('BACKEND_BAD_RESPONSE');
    expect(err.data.line).to.be.a('number');
    expect(await counts()).to.deep.equal(before);
  });
});
