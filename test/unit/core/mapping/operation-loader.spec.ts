import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GridbusError } from '../../../../core/errors';
import { loadOperationText, loadOperations } from '../../../../core/mapping/operation-loader';

const MAPPINGS_DIR = path.resolve(__dirname, '../../../../mappings');
const REAL_FILE = path.join(MAPPINGS_DIR, 'operations', 'marketing.queryArrears.yaml');
const REAL_TEXT = fs.readFileSync(REAL_FILE, 'utf8');
const VARS = { MARKETING_WSDL_URL: 'http://x/wsdl', SMS_URL: 'http://sms.local', USERCENTER_URL: 'http://usercenter.local' };

function mappingInvalid(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('MAPPING_INVALID');
    return err as GridbusError;
  }
  throw new Error('expected MAPPING_INVALID');
}

/** Replaces exactly one occurrence, so a test fails loudly if the fixture file changes. */
function edit(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `'${from}' should occur once in the fixture`).to.equal(1);
  return text.replace(from, to);
}

const MINIMAL = (name: string) => `operation: ${name}
version: 1
endpoint: { adapter: soap, wsdl: "http://w", operation: Op }
request: { A: a }
response:
  map: { a: A }
`;

describe('core/mapping - operation loader', () => {
  describe('loadOperationText', () => {
    it('loads the real marketing.queryArrears definition and substitutes the WSDL variable', () => {
      const op = loadOperationText(REAL_TEXT, 'marketing.queryArrears.yaml', VARS);
      expect(op.name).to.equal('marketing.queryArrears');
      expect(op.version).to.equal(1);
      expect(op.idempotent).to.equal(true);
      expect(op.file).to.equal('marketing.queryArrears.yaml');
      expect(op.endpoint).to.deep.equal({
        adapter: 'soap',
        wsdl: 'http://x/wsdl',
        operation: 'QueryArrears',
        timeoutMs: 4500,
        retries: 1,
      });
    });

    it('substitutes a variable embedded in a longer string', () => {
      const text = edit(REAL_TEXT, 'wsdl: ${MARKETING_WSDL_URL}', 'wsdl: "${MARKETING_WSDL_URL}/v2?wsdl"');
      expect(loadOperationText(text, 'f.yaml', VARS).endpoint.wsdl).to.equal('http://x/wsdl/v2?wsdl');
    });

    it('refuses a missing variable, naming file, path and variable', () => {
      const err = mappingInvalid(() => loadOperationText(REAL_TEXT, 'ops/marketing.yaml', {}));
      expect(err.message).to.contain('ops/marketing.yaml');
      expect(err.message).to.contain('endpoint.wsdl');
      expect(err.message).to.contain('variable MARKETING_WSDL_URL is not set: set ');
      expect(err.data).to.include({ file: 'ops/marketing.yaml', path: 'endpoint.wsdl' });
    });

    it('refuses a variable explicitly set to undefined', () => {
      const err = mappingInvalid(() => loadOperationText(REAL_TEXT, 'f.yaml', { MARKETING_WSDL_URL: undefined }));
      expect(err.data.path).to.equal('endpoint.wsdl');
    });

    it('names the path of a variable inside a list or nested field', () => {
      const text = edit(REAL_TEXT, 'Channel: { const: ALIPAY }', 'Channel: { const: "${CHANNEL_NAME}" }');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('request.Channel.const');
      expect(loadOperationText(text, 'f.yaml', { ...VARS, CHANNEL_NAME: 'ALIPAY2' }).buildRequest({ accountNo: '1' }, {}))
        .to.deep.include({ Channel: 'ALIPAY2' });
    });

    it('refuses invalid YAML, naming the line', () => {
      const text = edit(REAL_TEXT, 'version: 1', 'version: [1');
      const err = mappingInvalid(() => loadOperationText(text, 'bad.yaml', VARS));
      expect(err.message).to.match(/^bad\.yaml: line \d+: /);
      const line = Number(/line (\d+)/.exec(err.message)![1]);
      expect(line).to.be.greaterThan(0);
    });

    it('reports the line of a YAML error on a later line', () => {
      const err = mappingInvalid(() => loadOperationText('operation: a.b\nversion: 1\nendpoint: "unterminated\n', 'bad.yaml', {}));
      expect(err.message).to.match(/line [34]\b/);
    });

    it("refuses a 'respnse:' typo at the top level", () => {
      const text = edit(REAL_TEXT, '\nresponse:', '\nrespnse:');
      const err = mappingInvalid(() => loadOperationText(text, 'typo.yaml', VARS));
      expect(err.message).to.contain('typo.yaml');
      expect(err.data.path).to.equal('(top level)');
      expect(err.message).to.match(/respo?n?se/);
    });

    it('refuses an unknown top-level key, naming it', () => {
      const err = mappingInvalid(() => loadOperationText(`${REAL_TEXT}\nrespnse: {}\n`, 'typo.yaml', VARS));
      expect(err.data.path).to.equal('(top level)');
      expect(err.message).to.contain("'respnse'");
    });

    it('refuses an unknown key inside endpoint, naming path and key', () => {
      const text = edit(REAL_TEXT, '  retries: 1', '  retires: 1');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('endpoint');
      expect(err.message).to.contain("'retires'");
    });

    it("refuses 'frm:' inside a field spec, naming the field's path", () => {
      const text = edit(REAL_TEXT, 'accountNo: { from: Customer.ConsNo', 'accountNo: { frm: Customer.ConsNo');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('response.map.accountNo');
      expect(err.message).to.contain('response.map.accountNo');
    });

    it("names the unknown key 'frm' when a field spec has it next to a valid 'from'", () => {
      const text = edit(REAL_TEXT, 'accountNo: { from: Customer.ConsNo', 'accountNo: { frm: x, from: Customer.ConsNo');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('response.map.accountNo');
      expect(err.message).to.contain('frm');
    });

    it('refuses an unknown key in a field spec nested in an each map, naming the path', () => {
      const text = edit(REAL_TEXT, 'billMonth: { from: BillMonth, required: true }', 'billMonth: { from: BillMonth, requird: true }');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('response.map.items.map.billMonth');
    });

    it('refuses a field spec with both from and const', () => {
      const text = edit(REAL_TEXT, 'Channel: { const: ALIPAY }', 'Channel: { const: ALIPAY, from: x }');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('request.Channel');
    });

    it('refuses an unknown error code in raise, naming the rule', () => {
      const text = edit(REAL_TEXT, 'raise: ACCOUNT_NOT_FOUND', 'raise: NO_SUCH_CODE');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.message).to.contain('NO_SUCH_CODE');
      expect(err.message).to.contain('not a known error code');
      expect(err.data.path).to.equal('response.errors[0].raise');
    });

    it('refuses an unknown error code in a fault rule', () => {
      const text = edit(REAL_TEXT, 'raise: BACKEND_UNAVAILABLE', 'raise: BACKEND_DOWN');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('faults[0].raise');
    });

    it('refuses a wrongly formed operation name', () => {
      const text = edit(REAL_TEXT, 'operation: marketing.queryArrears', 'operation: Marketing-queryArrears');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('operation');
    });

    it('refuses a soap endpoint without wsdl', () => {
      const text = edit(REAL_TEXT, '  wsdl: ${MARKETING_WSDL_URL}\n', '');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.data.path).to.equal('endpoint');
      expect(err.message).to.contain('wsdl');
    });

    it('refuses a mapping path with an empty segment, naming where it is in the file', () => {
      const text = edit(REAL_TEXT, 'from: BillMonth', 'from: Bill..Month');
      const err = mappingInvalid(() => loadOperationText(text, 'f.yaml', VARS));
      expect(err.message).to.contain('Bill..Month');
      expect(String(err.data.path)).to.contain('billMonth');
    });

    it('refuses a document that is not a mapping', () => {
      const err = mappingInvalid(() => loadOperationText('- a\n- b\n', 'list.yaml', {}));
      expect(err.message).to.contain('list.yaml');
    });
  });

  describe('loadOperations', () => {
    let tmp: string;

    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-ops-'));
    });

    afterEach(() => {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('loads the real mappings directory', () => {
      const ops = loadOperations(MAPPINGS_DIR, VARS);
      expect(ops.has('marketing.queryArrears')).to.equal(true);
      expect(ops.get('marketing.queryArrears')!.endpoint.wsdl).to.equal('http://x/wsdl');
    });

    it('returns an empty map when there is no operations directory', () => {
      expect(loadOperations(tmp, {}).size).to.equal(0);
    });

    it('loads .yaml and .yml files and ignores others', () => {
      fs.mkdirSync(path.join(tmp, 'operations'));
      fs.writeFileSync(path.join(tmp, 'operations', 'a.yaml'), MINIMAL('billing.one'));
      fs.writeFileSync(path.join(tmp, 'operations', 'b.yml'), MINIMAL('billing.two'));
      fs.writeFileSync(path.join(tmp, 'operations', 'notes.txt'), 'not yaml: [');
      fs.writeFileSync(path.join(tmp, 'operations', 'c.yaml.bak'), 'not yaml: [');
      const ops = loadOperations(tmp, {});
      expect([...ops.keys()].sort()).to.deep.equal(['billing.one', 'billing.two']);
    });

    it('refuses the same operation defined in two files, naming both files', () => {
      fs.mkdirSync(path.join(tmp, 'operations'));
      fs.writeFileSync(path.join(tmp, 'operations', 'first.yaml'), MINIMAL('billing.same'));
      fs.writeFileSync(path.join(tmp, 'operations', 'second.yaml'), MINIMAL('billing.same'));
      const err = mappingInvalid(() => loadOperations(tmp, {}));
      expect(err.message).to.contain('first.yaml');
      expect(err.message).to.contain('second.yaml');
      expect(err.message).to.contain("'billing.same'");
    });

    it('names the file of a broken definition', () => {
      fs.mkdirSync(path.join(tmp, 'operations'));
      fs.writeFileSync(path.join(tmp, 'operations', 'ok.yaml'), MINIMAL('billing.ok'));
      fs.writeFileSync(path.join(tmp, 'operations', 'broken.yaml'), MINIMAL('billing.broken').replace('version: 1', 'version: 0'));
      const err = mappingInvalid(() => loadOperations(tmp, {}));
      expect(err.message).to.contain('broken.yaml');
      expect(err.data.path).to.equal('version');
    });
  });
});
