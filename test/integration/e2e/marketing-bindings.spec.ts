/**
 * Proof that a different back office is bound by mappings alone: one
 * scenario, run against simulator A (fen, flat, UTF-8) with `mappings/` and
 * against simulator B (YX: yuan text, nested, other codes) with
 * `examples/mappings/marketing-b/`. Nothing else differs: same bus code, same
 * configuration keys, same canonical answers computed from one dataset.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { signAccessToken } from '../../../core/auth';
import { HOUSEHOLDS, Household, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, MarketingSimulatorOptions, startMarketingSimulator } from '../../../simulators/marketing/server';
import { SPECIAL_CUST_NO } from '../../../simulators/marketing-b/dataset';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';
import { bindAccounts, TEST_PII_ENV } from '../../helpers/binding';
import { createFreshDatabase } from '../../helpers/db';
import { http } from '../../helpers/http';

const ROOT = path.resolve(__dirname, '../../..');
const JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';
const SLOW_MS = 1000;

/** What tells the two bindings apart: which simulator starts, which mapping set is loaded. */
interface Binding {
  startSimulator(opts: MarketingSimulatorOptions): Promise<MarketingSimulator>;
  mappingsDir: string;
  /** Scripted accounts only some simulators offer; a case without one stays pending, visibly. */
  accounts: {
    /** answers success without a field the mapping requires */
    missingRequiredField?: string;
    /** answers a result code the mapping turns into a retryable BACKEND_UNAVAILABLE */
    systemError?: string;
  };
}

const BINDING_A: Binding = {
  startSimulator: startMarketingSimulator,
  mappingsDir: path.join(ROOT, 'mappings'),
  accounts: {},
};

const BINDING_B: Binding = {
  startSimulator: startMarketingBSimulator,
  mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b'),
  accounts: { missingRequiredField: SPECIAL_CUST_NO.MISSING_CUST_NO, systemError: SPECIAL_CUST_NO.SYSTEM_ERROR },
};

/** The canonical answer, from the one dataset (simulators/marketing/dataset.ts). */
function expectedArrears(h: Household) {
  return {
    accountNo: h.ConsNo,
    items: h.arrears.map((a) => ({
      billMonth: a.BillMonth,
      amountFen: a.ArrearsFen,
      lateFeeFen: a.PenaltyFen,
      status: a.Status === '01' ? 'UNPAID' : 'PARTLY_PAID',
    })),
    totalFen: totalFen(h),
  };
}

/** A copy of the whole mapping set (code tables included) with a short timeout and no retry. */
function shortTimeoutCopy(dir: string, timeoutMs: number): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-mappings-'));
  fs.cpSync(dir, copy, { recursive: true });
  const file = path.join(copy, 'operations', 'marketing.queryArrears.yaml');
  const original = fs.readFileSync(file, 'utf8');
  const short = original.replace(/timeoutMs: \d+/, `timeoutMs: ${timeoutMs}`).replace(/retries: \d+/, 'retries: 0');
  expect(short, 'the copy changes timeoutMs').to.not.equal(original);
  fs.writeFileSync(file, short);
  return copy;
}

interface StartedBus {
  bus: RunningBus;
  token: string;
  stop(): Promise<void>;
}

async function startBusWith(binding: Binding, wsdlUrl: string, mappingsDir: string, nodeId: string): Promise<StartedBus> {
  const db = await createFreshDatabase();
  let bus: RunningBus;
  try {
    bus = await startBus(
      loadConfig({
        // the services these cases cross; other back offices (sms, ...) stay out of the proof
        SERVICES: 'gateway,billing,marketing,audit,mapping,binding',
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        SIMULATORS: 'off',
        MARKETING_WSDL_URL: wsdlUrl,
        MAPPINGS_DIR: mappingsDir,
        LOG_LEVEL: 'error',
        JWT_SECRET,
        NODE_ID: `${nodeId}-${process.pid}`,
        ...TEST_PII_ENV,
      }),
    );
    // user-1 reads arrears only of accounts bound to them: every account these cases ask about
    await bindAccounts(db.url, 'user-1', [...HOUSEHOLDS.map((h) => h.ConsNo), UNKNOWN_CONS_NO, SPECIAL_CONS_NO.FAULT, SPECIAL_CUST_NO.SYSTEM_ERROR, SPECIAL_CUST_NO.MISSING_CUST_NO]);
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    bus,
    token: signAccessToken(bus.config.auth, { sub: 'user-1' }),
    async stop() {
      await bus.stop();
      await db.drop();
    },
  };
}

/** The one scenario both bindings must pass. */
function marketingBindingScenario(binding: Binding, label: string) {
  let sim: MarketingSimulator;
  let main: StartedBus;
  const arrears = (accountNo: string) => http(`${main.bus.gatewayUrl}/api/v1/accounts/${accountNo}/arrears`, { token: main.token });

  before(async () => {
    sim = await binding.startSimulator({ slowDelayMs: SLOW_MS });
    main = await startBusWith(binding, sim.wsdlUrl, binding.mappingsDir, `e2e-${label}`);
  });

  after(async () => {
    await main?.stop();
    await sim?.close();
  });

  it('loads the operation from the binding\'s mapping set and reaches the simulator', async () => {
    expect(main.bus.config.mappingsDir).to.equal(binding.mappingsDir);
    const res = await http(`${main.bus.gatewayUrl}/health`);
    expect(res.json.nodes[0].dependencies[`adapter soap:${sim.wsdlUrl}`].status).to.equal('up');
  });

  for (const h of HOUSEHOLDS.filter((x) => x.ConsNo !== SPECIAL_CONS_NO.SLOW)) {
    it(`answers the canonical arrears of ${h.ConsNo} (${h.arrears.length} bill(s)) in integer fen`, async () => {
      const res = await arrears(h.ConsNo);
      expect(res.status, res.text).to.equal(200);
      const { holderName, ...rest } = res.json;
      expect(rest).to.deep.equal(expectedArrears(h));
      for (const item of res.json.items) {
        expect(Number.isInteger(item.amountFen)).to.equal(true);
        expect(Number.isInteger(item.lateFeeFen)).to.equal(true);
      }
      expect(holderName).to.be.a('string').and.not.equal(h.ConsName);
      expect(holderName.startsWith(h.ConsName[0])).to.equal(true);
      expect(holderName).to.include('*');
      expect(res.text).to.not.contain(h.ConsName);
    });
  }

  it('finds the accounts of a holder by identity (marketing.findCustomersByIdentity), masked; nobody is an empty list', async () => {
    const h = HOUSEHOLDS[3];
    const found = (await main.bus.broker.call('marketing.findCustomersByIdentity', { certNo: h.CertNo, name: h.ConsName })) as { customers: Array<Record<string, unknown>> };
    expect(found.customers).to.deep.equal([{ accountNo: h.ConsNo, holderName: `${h.ConsName[0]}*`, address: `${Array.from(h.Address).slice(0, 6).join('')}****`, orgNo: h.OrgNo }]);
    const none = (await main.bus.broker.call('marketing.findCustomersByIdentity', { certNo: h.CertNo, name: HOUSEHOLDS[0].ConsName })) as { customers: unknown[] };
    expect(none.customers).to.deep.equal([]);
  });

  it('answers the slow account when it is within the mapping timeout', async () => {
    const h = HOUSEHOLDS.find((x) => x.ConsNo === SPECIAL_CONS_NO.SLOW)!;
    const res = await arrears(h.ConsNo);
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.include(expectedArrears(h));
  });

  it('answers 404 ACCOUNT_NOT_FOUND for an unknown account', async () => {
    const res = await arrears(UNKNOWN_CONS_NO);
    expect(res.status).to.equal(404);
    expect(res.json.code).to.equal('ACCOUNT_NOT_FOUND');
  });

  it('answers 422 VALIDATION_FAILED for a malformed account number, without calling the back office', async () => {
    const before = sim.requestCount();
    for (const bad of ['12ab', '330100000', '33010000011']) {
      const res = await arrears(bad);
      expect(res.status, bad).to.equal(422);
      expect(res.json.code, bad).to.equal('VALIDATION_FAILED');
    }
    const posted = await http(`${main.bus.gatewayUrl}/api/v1/arrears/query`, {
      method: 'POST',
      token: main.token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountNo: 3301000001 }),
    });
    expect(posted.status).to.equal(422);
    expect(sim.requestCount()).to.equal(before);
  });

  it('maps the fault account to a typed 5xx without leaking internals', async () => {
    const res = await arrears(SPECIAL_CONS_NO.FAULT);
    expect(res.status).to.equal(503);
    expect(res.json.code).to.equal('BACKEND_UNAVAILABLE');
    expect(Object.keys(res.json).sort()).to.deep.equal(['code', 'message', 'requestId']);
    expect(res.text).to.not.match(/stack|soap(env)?:|Fault|faultstring|maintenance|database|at .*\.[jt]s/i);
  });

  if (binding.accounts.missingRequiredField) {
    const account = binding.accounts.missingRequiredField;
    it('answers 502 BACKEND_BAD_RESPONSE when the back office omits a required field', async () => {
      const res = await arrears(account);
      expect(res.status).to.equal(502);
      expect(res.json.code).to.equal('BACKEND_BAD_RESPONSE');
      expect(res.json).to.not.have.property('details');
    });
  } else {
    it('answers 502 BACKEND_BAD_RESPONSE when the back office omits a required field (this simulator has no such account)');
  }

  if (binding.accounts.systemError) {
    const account = binding.accounts.systemError;
    it('turns a system-error result code into 503 BACKEND_UNAVAILABLE, after the one retry the mapping allows', async () => {
      const before = sim.requestCount();
      const res = await arrears(account);
      expect(res.status).to.equal(503);
      expect(res.json.code).to.equal('BACKEND_UNAVAILABLE');
      expect(sim.requestCount() - before).to.equal(2);
    });
  } else {
    it('turns a system-error result code into 503 BACKEND_UNAVAILABLE (this simulator has no such account)');
  }

  describe('with a short-timeout copy of the mapping set', () => {
    let dir: string;
    let short: StartedBus;

    before(async () => {
      dir = shortTimeoutCopy(binding.mappingsDir, 300);
      short = await startBusWith(binding, sim.wsdlUrl, dir, `e2e-${label}-timeout`);
    });

    after(async () => {
      await short?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('answers 504 BACKEND_TIMEOUT for the slow account and keeps serving the others', async () => {
      const started = Date.now();
      const slow = await http(`${short.bus.gatewayUrl}/api/v1/accounts/${SPECIAL_CONS_NO.SLOW}/arrears`, { token: short.token });
      expect(slow.status).to.equal(504);
      expect(slow.json.code).to.equal('BACKEND_TIMEOUT');
      expect(Date.now() - started).to.be.below(SLOW_MS);
      const fast = await http(`${short.bus.gatewayUrl}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: short.token });
      expect(fast.status).to.equal(200);
      expect(fast.json.totalFen).to.equal(totalFen(HOUSEHOLDS[0]));
    });
  });
}

describe('e2e - marketing binding A (fen, flat, UTF-8 simulator)', () => {
  marketingBindingScenario(BINDING_A, 'a');
});

describe('e2e - marketing binding B (yuan, nested, other codes)', () => {
  marketingBindingScenario(BINDING_B, 'b');
});

describe('e2e - marketing bindings are not interchangeable (control)', () => {
  let sim: MarketingSimulator;
  let crossed: StartedBus;

  before(async () => {
    sim = await startMarketingBSimulator({ slowDelayMs: SLOW_MS });
    crossed = await startBusWith(BINDING_A, sim.wsdlUrl, BINDING_A.mappingsDir, 'e2e-crossed');
  });

  after(async () => {
    await crossed?.stop();
    await sim?.close();
  });

  it("binding A's mappings against simulator B fail: the binding, not the bus code, is what reaches B", async () => {
    const res = await http(`${crossed.bus.gatewayUrl}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: crossed.token });
    expect(res.status).to.equal(500);
    expect(res.json.code).to.equal('MAPPING_INVALID');
    expect(sim.requestCount()).to.equal(0);
  });
});
