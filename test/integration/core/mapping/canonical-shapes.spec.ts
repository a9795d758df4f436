import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../../core/db';
import { GridbusError } from '../../../../core/errors';
import { ingestReconciliationFile } from '../../../../core/files/reconciliation-ingest';
import { loadFileLayoutText } from '../../../../core/mapping/files';
import { createFreshDatabase } from '../../../helpers/db';

const CLI = path.resolve(__dirname, '../../../../dist/bin/gridbus.js');

/** A partner's collected-payments layout unlike ours: comma-separated, other column names, yuan. */
const LAYOUT = (accountKey: string) => `layout: partner.collected-payments
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: "," }
records:
  detail:
    fields:
      - { name: txn_no, required: true }
      - { name: cust }
      - { name: fee, money: { in: yuan }, required: true }
    map:
      serial: txn_no
      ${accountKey}: cust
      amountFen: fee
`;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, MAPPINGS_DIR: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('core/mapping - canonical shapes refuse misspelt and missing fields', function () {
  this.timeout(60000);

  it("gridbus mappings validate refuses a misspelt canonical field 'acountNo', naming file, path, layout and the field meant", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-canonical-'));
    try {
      fs.mkdirSync(path.join(dir, 'files'));
      fs.writeFileSync(path.join(dir, 'files', 'partner.yaml'), LAYOUT('acountNo'));
      const r = await run(['mappings', 'validate', '--dir', dir, '--json']);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      const answer = JSON.parse(r.stdout) as { valid: boolean; problems: Array<{ file: string; path: string; message: string }> };
      expect(answer.valid).to.equal(false);
      expect(answer.problems).to.deep.include({
        file: 'files/partner.yaml',
        path: 'records.detail.map.acountNo',
        message: "layout partner.collected-payments: 'acountNo' is not a field of the reconciliation record (did you mean accountNo?); its fields: serial, accountNo, billMonth, amountFen, paidAt, payerName",
      });
      fs.writeFileSync(path.join(dir, 'files', 'partner.yaml'), LAYOUT('accountNo'));
      const ok = await run(['mappings', 'validate', '--dir', dir]);
      expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('at run time, against PostgreSQL', () => {
    let db: { url: string; drop(): Promise<void> };
    let ds: DataSource;
    before(async () => {
      db = await createFreshDatabase();
      ds = (await openDatabase(db.url)).dataSource;
    });
    after(async () => {
      await ds?.destroy();
      await db?.drop();
    });

    it('a record missing a required canonical field is refused naming the layout and field, not with a NOT NULL, and nothing is kept', async () => {
      // Loaded on its own (not through a validated set), as a layout published before this check would be.
      const layout = loadFileLayoutText(LAYOUT('acountNo'), 'files/partner.yaml');
      let err: GridbusError | undefined;
      try {
        await ingestReconciliationFile(ds, layout, Readable.from([Buffer.from('T1,3300000001,12.50\nT2,3300000002,3.00\n')]), { name: 'p.csv', size: 1, mtime: 1 });
      } catch (e) {
        err = e as GridbusError;
      }
      expect(err, 'refused').to.be.instanceOf(GridbusError);
      expect(err!.message).to.equal("p.csv: line 1: layout partner.collected-payments: canonical field 'accountNo' is missing: the reconciliation record needs it (string, fills account_no)");
      expect(err!.message).to.not.match(/null value|violates/);
      expect(err!.data).to.deep.include({ layout: 'partner.collected-payments', field: 'accountNo', line: 1 });
      const [{ n }] = await ds.query('SELECT (SELECT count(*) FROM reconciliation_record)::int + (SELECT count(*) FROM inbound_file)::int AS n');
      expect(n).to.equal(0);

      const good = loadFileLayoutText(LAYOUT('accountNo'), 'files/partner.yaml');
      const r = await ingestReconciliationFile(ds, good, Readable.from([Buffer.from('T1,3300000001,12.50\n')]), { name: 'p.csv', size: 1, mtime: 2 });
      expect(r).to.include({ records: 1 });
      const [row] = await ds.query('SELECT serial, account_no, amount_fen::int AS fen FROM reconciliation_record');
      expect(row).to.deep.equal({ serial: 'T1', account_no: '3300000001', fen: 1250 });
    });
  });
});
