import { expect } from 'chai';
import { spawn } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../../simulators/alipay/server';
import { CLOSED_CONS_NO, HOUSEHOLDS, totalFen } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { CLI } from '../../../helpers/bus-process';
import { createFreshDatabase, query } from '../../../helpers/db';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { eventually, http } from '../../../helpers/http';
import { operatorToken } from '../../../helpers/operators';

type Json = Record<string, unknown>;
type Run = { status: number | null; stdout: string; stderr: string };

/**
 * `gridbus payments list | show | refund`, the built CLI as its own process,
 * logged in as an operator, against a bus in this process (gateway, payment,
 * alipay, outbox, marketing) paying through the Alipay simulator (RSA2 both
 * ways) and writing off in the marketing simulator.
 */
describe('cli - gridbus payments list | show | refund against a bus (real PostgreSQL, Alipay and marketing simulators)', function () {
  this.timeout(60_000);
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const payer = ALIPAY_USERS[0].userId;
  // 3301000001 owes 329.55 yuan in the simulator
  const [home, second] = HOUSEHOLDS.map((h) => h.ConsNo);
  let alipay: AlipaySimulator;
  let marketing: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let cliHome: string;
  let paid: Json;
  let open: Json;
  let suspectId: string;

  const pay = async (body: Json): Promise<Json> => {
    const res = await http(`${bus.gatewayUrl}/api/v1/payments`, {
      method: 'POST',
      token: signAccessToken(bus.config.auth, { sub: payer }),
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, res.text).to.equal(200);
    return res.json;
  };
  const stateOf = async (id: unknown) => (await query<{ state: string }>(db.url, 'SELECT state FROM payment_orders WHERE id = $1', [id]))[0].state;
  // without blocking this process: the bus it asks runs here
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = { PATH: process.env.PATH ?? '', HOME: cliHome, GRIDBUS_SESSION_FILE: path.join(cliHome, 'session.json') };
      const child = spawn(process.execPath, [CLI, ...args], { cwd: cliHome, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    expect(r.status, r.stderr).to.equal(0);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    alipay = await startAlipaySimulator({ appPublicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string, appId: '2021004200000011', notifyRetryDelaysMs: [100, 100, 100] });
    marketing = await startMarketingSimulator();
    db = await createFreshDatabase();
    cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-payments-cli-'));
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,marketing,mapping,binding,payment,alipay,outbox,audit,auth',
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        LOG_LEVEL: 'fatal',
        NODE_ID: `payments-cli-${process.pid}`,
        VAR_DIR: path.join(cliHome, 'var'),
        MARKETING_WSDL_URL: marketing.wsdlUrl,
        ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
        ALIPAY_APP_ID: alipay.appId,
        ALIPAY_APP_PRIVATE_KEY: app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        ALIPAY_PUBLIC_KEY: alipay.alipayPublicKeyPem,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
      }),
    );
    alipay.setNotifyUrl(`${bus.gatewayUrl}/alipay/notify`);
    await bindAccounts(db.url, payer, [home, second, CLOSED_CONS_NO]);

    // a written-off payment of all of 3301000001's arrears, an open (unpaid) order for 3301000002
    paid = await pay({ accountNo: home, all: true });
    await alipay.payTrade(paid.outTradeNo as string).done;
    await eventually(() => stateOf(paid.id), (s) => s === 'WRITTEN_OFF');
    open = await pay({ accountNo: second, amountFen: 100 });
    // a SUSPECT order as a lost write-off reply leaves it, written straight into the tables
    const [row] = await query<{ id: string }>(
      db.url,
      `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, trade_no, paid_at, expires_at)
       VALUES ('GBSUSPECT0001', 'PAY', $1, '3301000004', 31913, 31913, '3301000004:202611', 'electricity 3301000004', 'SUSPECT', '2026120422001400000099', now(), now() + interval '15 minutes') RETURNING id`,
      [payer],
    );
    suspectId = row.id;
    await query(
      db.url,
      `INSERT INTO payment_order_events (order_id, event, from_state, to_state, source, detail, at) VALUES
         ($1, 'TRADE_CREATED', 'CREATED', 'WAIT_PAY', 'create', NULL, now() - interval '3 minutes'),
         ($1, 'PAID', 'WAIT_PAY', 'PAID', 'notify', '{"tradeStatus":"TRADE_SUCCESS"}', now() - interval '2 minutes'),
         ($1, 'WRITEOFF_UNKNOWN', 'PAID', 'SUSPECT', 'outbox', '{"reason":"BACKEND_TIMEOUT"}', now() - interval '1 minute')`,
      [suspectId],
    );

    const token = await operatorToken(db.url, bus.gatewayUrl!, 'night-ops', ['operator']);
    const login = await cli('login', '--url', bus.gatewayUrl!, '--token', token);
    expect(login.status, login.stderr).to.equal(0);
  });

  after(async () => {
    await bus?.stop();
    await alipay?.close();
    await marketing?.close();
    await db?.drop();
    if (cliHome) fs.rmSync(cliHome, { recursive: true, force: true });
  });

  it('payments list - filters by state and account, amounts in yuan and fen', async () => {
    expect(totalFen(HOUSEHOLDS[0])).to.equal(32955);
    const ids = async (...args: string[]) => ((await json('payments', 'list', ...args)).payments as Json[]).map((p) => p.id);
    expect(await ids('--state', 'WRITTEN_OFF')).to.deep.equal([paid.id]);
    expect(await ids('--state', 'WAIT_PAY')).to.deep.equal([open.id]);
    expect(await ids('--state', 'SUSPECT')).to.deep.equal([suspectId]);
    expect(await ids('--account', second)).to.deep.equal([open.id]);
    expect(await ids('--state', 'WRITTEN_OFF', '--account', second)).to.deep.equal([]);
    expect(await ids('--limit', '1')).to.deep.equal([suspectId]);
    expect(await ids()).to.deep.equal([suspectId, open.id, paid.id]);

    const text = await cli('payments', 'list', '--state', 'WRITTEN_OFF');
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stderr).to.equal(`bus: ${bus.gatewayUrl} as night-ops\n`);
    expect(text.stdout).to.match(new RegExp(`^\\s+${paid.id}  WRITTEN_OFF PAY\\s+account ${home}  329\\.55 yuan \\(32955 fen\\)  ${paid.outTradeNo}  created `));
    expect((await cli('payments', 'list', '--state', 'REFUNDED')).stdout).to.equal('no payment orders\n');

    for (const bad of [['--state', 'suspect'], ['--account', '123'], ['--limit', '0'], ['--limit', '501'], ['--status', 'PAID'], ['extra']]) {
      const r = await cli('payments', 'list', ...bad);
      expect(r.status, bad.join(' ')).to.equal(2);
      expect(r.stderr, bad.join(' ')).to.match(/Usage: gridbus payments list/);
    }
  });

  it('payments show - the order, its moves as a timeline, its write-off row, and what to do about a SUSPECT one', async () => {
    const r = await cli('payments', 'show', String(paid.id));
    expect(r.status, r.stderr).to.equal(0);
    const out = r.stdout;
    expect(out).to.match(new RegExp(`^order ${paid.id}  WRITTEN_OFF  PAY  account ${home}  user ${payer}\n`));
    expect(out).to.include('  amount        329.55 yuan (32955 fen)   (arrears when ordered 329.55 yuan (32955 fen))');
    expect(out).to.include('  refunded      0.00 yuan (0 fen)');
    expect(out).to.include(`  out_trade_no  ${paid.outTradeNo}   (also the write-off serial)`);
    expect(out).to.include(`  trade_no      ${paid.tradeNo}`);
    // the moves in the order they happened, each with when and by what
    const moves = out.split('\nmoves:\n')[1].split('\nrefunds:\n')[0].split('\n');
    expect(moves.map((m) => m.replace(/^  \S+Z  /, '').replace(/\s+/g, ' ').replace(/ by .*/, ''))).to.deep.equal([
      '(new) -> CREATED CREATED',
      'CREATED -> WAIT_PAY TRADE_CREATED',
      'WAIT_PAY -> PAID PAID',
      'PAID -> WRITTEN_OFF WRITEOFF_DONE',
    ]);
    expect(moves.every((m) => /^  \d{4}-\d\d-\d\dT\S+Z  .* by \S+/.test(m)), moves.join('\n')).to.equal(true);
    const stamps = moves.map((m) => Date.parse(m.trim().split(/\s+/)[0]));
    expect([...stamps].sort((a, b) => a - b)).to.deep.equal(stamps);
    expect(out).to.match(/\nrefunds:\n  none\n/);
    expect(out).to.match(new RegExp(`\noutbox:\n  row \\d+  marketing\\.writeOff  serial ${paid.outTradeNo}  delivered  1 attempt  delivered \\S+Z\n`));
    expect(out).not.to.match(/\nnext:/);

    const asJson = await json('payments', 'show', String(paid.id));
    expect(asJson.order).to.include({ id: paid.id, state: 'WRITTEN_OFF', amountFen: 32955, refundedFen: 0 });
    expect((asJson.events as Json[]).map((e) => e.event)).to.deep.equal(['CREATED', 'TRADE_CREATED', 'PAID', 'WRITEOFF_DONE']);

    const suspect = await cli('payments', 'show', suspectId);
    expect(suspect.status, suspect.stderr).to.equal(0);
    expect(suspect.stdout).to.include('  amount        319.13 yuan (31913 fen)');
    expect(suspect.stdout).to.match(/WAIT_PAY\s+-> PAID\s+PAID\s+by notify  \{"tradeStatus":"TRADE_SUCCESS"\}/);
    expect(suspect.stdout).to.match(/PAID\s+-> SUSPECT\s+WRITEOFF_UNKNOWN\s+by outbox  \{"reason":"BACKEND_TIMEOUT"\}/);
    expect(suspect.stdout).to.match(/\noutbox:\n  none\n/);
    expect(suspect.stdout).to.match(/\nnext: the write-off's outcome is unknown: .*marketing\.queryPayment on serial GBSUSPECT0001/);

    // its write-off row gave up asking (unknown): check the serial there, then replay the row
    const [unknown] = await query<{ id: string }>(
      db.url,
      `INSERT INTO outbox (operation, partition_key, serial, payload, status, attempts, last_error) VALUES ('marketing.writeOff', '3301000004', 'GBSUSPECT0001', $1, 'unknown', 8, 'BACKEND_TIMEOUT: marketing.queryPayment did not answer') RETURNING id`,
      [JSON.stringify({ data: { accountNo: '3301000004', amountFen: 31913 } })],
    );
    const stuck = await cli('payments', 'show', suspectId);
    expect(stuck.stdout).to.include(`\noutbox:\n  row ${unknown.id}  marketing.writeOff  serial GBSUSPECT0001  unknown  8 attempts\n      last error: BACKEND_TIMEOUT: marketing.queryPayment did not answer\n`);
    expect(stuck.stdout).to.match(new RegExp(`\nnext: the write-off's outcome is unknown and outbox row ${unknown.id} \\(unknown\\) stopped asking: check serial GBSUSPECT0001 in the marketing system, then gridbus outbox replay ${unknown.id} `));

    const missing = await cli('payments', 'show', '999999');
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.match(/gridbus: 404 ORDER_NOT_FOUND: No payment order 999999/);
    const notAnId = await cli('payments', 'show', 'GBSUSPECT0001');
    expect(notAnId.status).to.equal(2);
    expect(notAnId.stderr).to.match(/'GBSUSPECT0001' is not a payment order id/);
  });

  it('payments refund - a non-refundable order is ORDER_STATE_CONFLICT (exit 1, nothing refunded); a written-off one is refunded once per request no, its reversal queued', async () => {
    const early = await cli('payments', 'refund', String(open.id), '--amount-fen', '100', '--reason', 'not paid yet');
    expect(early.status).to.equal(1);
    expect(early.stderr).to.match(new RegExp(`gridbus: 409 ORDER_STATE_CONFLICT: Order ${open.id} is WAIT_PAY: only a written-off or parked payment can be refunded`));
    expect(early.stderr).not.to.match(/may have been made/);
    expect(await query(db.url, 'SELECT 1 FROM payment_refunds')).to.deep.equal([]);

    // no --request-no: one is generated and printed before the bus is asked
    const first = await cli('payments', 'refund', String(paid.id), '--amount-fen', '1000', '--reason', 'household paid twice');
    expect(first.status, first.stderr).to.equal(0);
    const requestNo = /request no: (cli-\d{14}-[0-9a-f]{8}) \(repeating with --request-no \1 never refunds twice\)/.exec(first.stderr)?.[1];
    expect(requestNo, first.stderr).to.be.a('string');
    const outRequestNo = `R${paid.id}-${requestNo}`;
    expect(first.stdout).to.include(`refund ${outRequestNo} of order ${paid.id}: 10.00 yuan (1000 fen)  REFUNDED`);
    expect(first.stdout).to.include(`  request no    ${requestNo}   (the same --request-no again is this refund: never twice)`);
    expect(first.stdout).to.include(`  reversal      queued: marketing.reverseWriteOff, serial ${outRequestNo}, of write-off ${paid.outTradeNo}`);
    expect(first.stdout).to.include('  order         WRITTEN_OFF, refunded 10.00 yuan (1000 fen) of 329.55 yuan (32955 fen)');

    // the same request again (as after a timeout): the same refund, Alipay refunds once
    const again = await json('payments', 'refund', String(paid.id), '--amount-fen', '1000', '--reason', 'household paid twice', '--request-no', requestNo!);
    expect(again.refund).to.deep.equal({ outRequestNo, amountFen: 1000, state: 'REFUNDED', reversal: true, lastError: null });
    expect(again.requestNo).to.equal(requestNo);
    expect(again.order).to.include({ refundedFen: 1000 });
    expect(alipay.refunds().filter((r) => r.outTradeNo === paid.outTradeNo).map((r) => r.applied)).to.deep.equal([1]);
    await eventually(async () => marketing.reversals().filter((r) => r.originalSerial === paid.outTradeNo), (r) => r.length === 1 && r[0].applied === 1);

    const shown = await cli('payments', 'show', String(paid.id));
    expect(shown.stdout).to.match(new RegExp(`\nrefunds:\n  ${outRequestNo}  10\\.00 yuan \\(1000 fen\\)  REFUNDED  with reversal  by night-ops at \\S+Z: household paid twice\n`));
    await eventually(() => cli('payments', 'show', String(paid.id)), (s) => new RegExp(`row \\d+  marketing\\.reverseWriteOff  serial ${outRequestNo}  delivered`).test(s.stdout));

    const over = await cli('payments', 'refund', String(paid.id), '--amount-fen', '31956', '--reason', 'too much', '--request-no', 'over-1');
    expect(over.status).to.equal(1);
    expect(over.stderr).to.match(/422 REFUND_EXCEEDS_PAID: Order \d+ has 31955 fen left to refund, not 31956/);

    const audits = await eventually(
      () => query<{ outcome: string; details: Json }>(db.url, `SELECT outcome, details FROM audit_log WHERE action = 'payment.refund' AND actor = 'night-ops' ORDER BY id`),
      (a) => a.length === 4,
    );
    expect(audits.map((a) => a.outcome)).to.deep.equal(['failure', 'success', 'success', 'failure']);
    expect(audits[1].details).to.include({ reason: 'household paid twice', outRequestNo });

    for (const bad of [
      ['--amount-fen', '100'],
      ['--reason', 'no amount'],
      ['--amount-fen', '0', '--reason', 'zero'],
      ['--amount-fen', '1.5', '--reason', 'yuan?'],
      ['--amount-fen', '100', '--reason', 'x'],
      ['--amount-fen', '100', '--reason', 'bad id', '--request-no', 'has space'],
    ]) {
      const r = await cli('payments', 'refund', String(paid.id), ...bad);
      expect(r.status, bad.join(' ')).to.equal(2);
      expect(r.stderr, bad.join(' ')).to.match(/Usage: gridbus payments refund/);
    }
    expect(alipay.refunds().filter((r) => r.outTradeNo === paid.outTradeNo)).to.have.length(1);
  });

  it('payments refund - a PARKED payment (write-off refused) is shown with what to do, and refunded whole without a reversal', async () => {
    const parked = await pay({ accountNo: CLOSED_CONS_NO, all: true });
    await alipay.payTrade(parked.outTradeNo as string).done;
    await eventually(() => stateOf(parked.id), (s) => s === 'PARKED');
    const shown = await cli('payments', 'show', String(parked.id));
    expect(shown.stdout).to.match(/  last error    .*ACCOUNT_CLOSED/);
    expect(shown.stdout).to.match(new RegExp(`\nnext: the marketing system refused the write-off \\(.*ACCOUNT_CLOSED.*\\): refund it whole \\(gridbus payments refund ${parked.id} --amount-fen ${parked.amountFen} --reason TEXT\\), or fix the account there and gridbus outbox replay \\d+`));

    const r = await cli('payments', 'refund', String(parked.id), '--amount-fen', String(parked.amountFen), '--reason', 'account closed: money back', '--request-no', 'parked-1');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('  reversal      none (the payment was never written off)');
    expect(r.stdout).to.match(/  order         REFUNDED, refunded /);
    expect(marketing.reversals().filter((x) => x.originalSerial === parked.outTradeNo)).to.deep.equal([]);
  });

  it('payments --help - every payments command answers --help and -h (exit 0, nothing asked); gridbus --help lists payments', async () => {
    for (const words of [['payments'], ['payments', 'list'], ['payments', 'show'], ['payments', 'refund']]) {
      for (const flag of ['--help', '-h']) {
        const r = await cli(...words, flag);
        expect(r.status, `${words.join(' ')} ${flag}`).to.equal(0);
        expect(r.stdout, `${words.join(' ')} ${flag}`).to.match(new RegExp(`^Usage: gridbus ${words.join(' ')}`));
        expect(r.stderr, `${words.join(' ')} ${flag}`).to.equal('');
      }
    }
    // --help wins over everything else on the line: no refund is asked for
    const help = await cli('payments', 'refund', String(paid.id), '--amount-fen', '1', '--reason', 'must not happen', '--help');
    expect(help.status).to.equal(0);
    expect(help.stdout).to.match(/never refunds twice/);
    expect((await query(db.url, `SELECT 1 FROM payment_refunds WHERE reason = 'must not happen'`)).length).to.equal(0);
    expect((await cli('--help')).stdout).to.match(/\n  payments <command>  list \| show \| refund/);
    const unknown = await cli('payments', 'void', '1');
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.match(/unknown command 'payments void'/);
  });

  it('payments refund - an answer lost on the way says the refund may have been made and gives the command to repeat with the same request no', async () => {
    // a bus that takes the refund request and drops the connection without answering
    const asked: Json[] = [];
    const lossy = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/admin/api/mappings/active') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        asked.push({ url: req.url, ...JSON.parse(body || '{}') });
        req.socket.destroy();
      });
    });
    await new Promise<void>((resolve) => lossy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(lossy.address() as AddressInfo).port}`;
    try {
      const login = await cli('login', '--url', url, '--token', signAccessToken(bus.config.auth, { sub: 'night-ops' }));
      expect(login.status, login.stderr).to.equal(0);
      const r = await cli('payments', 'refund', '7', '--amount-fen', '500', '--reason', 'meter read twice', '--url', url);
      expect(r.status).to.equal(1);
      const requestNo = /request no: (\S+) /.exec(r.stderr)?.[1];
      expect(asked).to.deep.equal([{ url: '/admin/api/payments/7/refunds', amountFen: 500, reason: 'meter read twice', requestNo }]);
      expect(r.stderr).to.match(new RegExp(`gridbus: cannot reach the bus at ${url}: .*\nthe refund may have been made: repeat it with the same request no \\(gridbus payments refund 7 --amount-fen 500 --reason \\.\\.\\. --request-no ${requestNo}\\); it never refunds twice`));
    } finally {
      lossy.close();
    }
  });
});
