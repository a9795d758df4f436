import { expect } from 'chai';
import { generateKeyPairSync, randomBytes } from 'crypto';
import { signAccessToken } from '../../core/auth';
import { ALIPAY_USERS } from '../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../simulators/alipay/server';
import { MarketingSimulator, startMarketingSimulator } from '../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from './binding';
import { BusProcess } from './bus-process';
import { createFreshDatabase, query } from './db';
import { requireEnv, TEST_JWT_ENV } from './env';
import { eventually, http } from './http';
import { freePort } from './ports';

/** The services of the node that takes orders and Alipay's notifications. */
export const PAYMENT_NODE_SERVICES = 'gateway,auth,binding,payment,alipay,audit';
/** The services of the node that delivers the write-offs to the marketing system. */
export const WRITE_OFF_NODE_SERVICES = 'outbox,marketing,mapping';

export interface PaidOrder {
  id: string;
  outTradeNo: string;
  accountNo: string;
  amountFen: number;
}

export interface OrderState {
  id: string;
  out_trade_no: string;
  state: string;
}

/**
 * The money path as separate OS processes over real NATS and PostgreSQL: a
 * payment node (gateway, payment, alipay, ...) and a write-off node (outbox,
 * marketing, mapping), each started and SIGKILLed at will, against the Alipay
 * simulator (RSA2 both ways, notifications retried until `success`) and the
 * marketing simulator, which counts every write-off it received per serial.
 */
export class MoneyPathCluster {
  readonly suffix = randomBytes(3).toString('hex');
  readonly payer = ALIPAY_USERS[0].userId;
  paymentNode: BusProcess | null = null;
  writeOffNode: BusProcess | null = null;
  private starts = 0;

  private constructor(
    readonly db: { url: string; drop(): Promise<void> },
    readonly alipay: AlipaySimulator,
    readonly marketing: MarketingSimulator,
    private readonly appPrivatePem: string,
    readonly httpPort: number,
  ) {}

  static async start(opts: { notifyRetryDelaysMs: number[] }): Promise<MoneyPathCluster> {
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const appPrivatePem = app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const appPublicPem = app.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const alipay = await startAlipaySimulator({ appPublicKey: appPublicPem, appId: '2021004200000077', notifyRetryDelaysMs: opts.notifyRetryDelaysMs });
    const marketing = await startMarketingSimulator();
    const db = await createFreshDatabase();
    const httpPort = await freePort();
    const cluster = new MoneyPathCluster(db, alipay, marketing, appPrivatePem, httpPort);
    // the payment node's gateway keeps its port across restarts: Alipay keeps notifying the same URL
    alipay.setNotifyUrl(`${cluster.gatewayUrl}/alipay/notify`);
    return cluster;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  private env(role: string): Record<string, string> {
    this.starts += 1;
    return {
      ...TEST_JWT_ENV,
      ...TEST_PII_ENV,
      NATS_URL: requireEnv('TEST_NATS_URL'),
      BUS_NAMESPACE: `pay-${this.suffix}`,
      NODE_ID: `${role}-${this.suffix}-${this.starts}`,
      DATABASE_URL: this.db.url,
      SIMULATORS: 'off',
      MARKETING_WSDL_URL: this.marketing.wsdlUrl,
    };
  }

  /** Starts the payment node (migrates the database on its first start) and binds the payer to `accounts`. */
  async startPaymentNode(accounts: readonly string[] = []): Promise<BusProcess> {
    const node = new BusProcess(['start', '--services', PAYMENT_NODE_SERVICES], {
      ...this.env('pay'),
      HTTP_PORT: String(this.httpPort),
      ALIPAY_GATEWAY_URL: this.alipay.gatewayUrl,
      ALIPAY_APP_ID: this.alipay.appId,
      ALIPAY_APP_PRIVATE_KEY: this.appPrivatePem,
      ALIPAY_PUBLIC_KEY: this.alipay.alipayPublicKeyPem,
    });
    this.paymentNode = node;
    await node.waitFor(/node \S+ running/, 60000);
    if (accounts.length) await bindAccounts(this.db.url, this.payer, accounts);
    return node;
  }

  /**
   * Starts the write-off node and, unless `wait` is false, waits until it
   * runs and the payment node has discovered it (with `wait: false` it may
   * be delivering before it even prints that it runs). REQUEST_TIMEOUT_MS is
   * the default 10000: the write-off's own SOAP timeout (4500 ms in its
   * mapping) fires first, and a claim's lease is 10000 + 5000 ms.
   */
  async startWriteOffNode(opts: { wait?: boolean; env?: Record<string, string> } = {}): Promise<BusProcess> {
    const env = this.env('writeoff');
    const nodeId = env.NODE_ID;
    const node = new BusProcess(['start', '--services', WRITE_OFF_NODE_SERVICES], {
      ...env,
      REQUEST_TIMEOUT_MS: '10000',
      OUTBOX_POLL_MS: '100',
      OUTBOX_BACKOFF_BASE_MS: '100',
      OUTBOX_BACKOFF_MAX_MS: '1000',
      OUTBOX_MAX_ATTEMPTS: '1000',
      ...(opts.env ?? {}),
    });
    this.writeOffNode = node;
    if (opts.wait === false) return node;
    await node.waitFor(/node \S+ running/, 60000);
    if (this.paymentNode && this.paymentNode.child.exitCode === null) await this.untilPaymentNodeSees(nodeId);
    return node;
  }

  /** Until the payment node's gateway lists the node on /health (it has discovered its services). */
  private async untilPaymentNodeSees(nodeId: string): Promise<void> {
    await eventually(
      () => http(`${this.gatewayUrl}/health`),
      (r) => Array.isArray(r.json?.nodes) && r.json.nodes.some((n: { nodeId: string }) => n.nodeId === nodeId),
      30000,
    );
  }

  /** One order per account through POST /api/v1/payments (arrears checked at the marketing system, trade created at Alipay). */
  async createOrders(accounts: readonly string[], amountFen: number): Promise<PaidOrder[]> {
    const token = signAccessToken({ jwtSecret: TEST_JWT_ENV.JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub: this.payer });
    const orders: PaidOrder[] = [];
    for (const accountNo of accounts) {
      const res = await http(`${this.gatewayUrl}/api/v1/payments`, {
        method: 'POST',
        token,
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `crash-${this.suffix}-${accountNo}` },
        body: JSON.stringify({ accountNo, amountFen }),
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.json).to.include({ accountNo, amountFen, state: 'WAIT_PAY' });
      orders.push({ id: String(res.json.id), outTradeNo: String(res.json.outTradeNo), accountNo, amountFen });
    }
    return orders;
  }

  async orderStates(orders: readonly PaidOrder[]): Promise<OrderState[]> {
    return query<OrderState>(this.db.url, `SELECT id::text AS id, out_trade_no, state FROM payment_orders WHERE id = ANY($1::bigint[]) ORDER BY id`, [orders.map((o) => o.id)]);
  }

  /** Polls until every order is in `state`; answers the states. */
  async untilAll(orders: readonly PaidOrder[], state: string, timeoutMs = 45000): Promise<OrderState[]> {
    return eventually(() => this.orderStates(orders), (rows) => rows.length === orders.length && rows.every((r) => r.state === state), timeoutMs);
  }

  async writeOffRows(): Promise<Array<{ serial: string; status: string; attempts: number }>> {
    return query(this.db.url, `SELECT serial, status, attempts FROM outbox WHERE operation = 'marketing.writeOff' ORDER BY id`);
  }

  /**
   * The invariant of the money path, read at the marketing simulator: every
   * paid order's serial was received once and applied once (a resend would
   * count twice), with its account and amount, and no other serial was
   * written off; every order is WRITTEN_OFF and its outbox row delivered.
   */
  async expectWrittenOffExactlyOnce(orders: readonly PaidOrder[]): Promise<void> {
    const ledger = this.marketing.writeOffs();
    expect(ledger.map((w) => w.serial).sort(), 'serials written off = paid orders').to.deep.equal(orders.map((o) => o.outTradeNo).sort());
    for (const o of orders) {
      const w = ledger.find((x) => x.serial === o.outTradeNo)!;
      expect({ accountNo: w.accountNo, amountFen: w.amountFen, received: w.received, applied: w.applied }, `write-off ${o.outTradeNo}`).to.deep.equal({
        accountNo: o.accountNo, amountFen: o.amountFen, received: 1, applied: 1,
      });
    }
    const states = await this.orderStates(orders);
    expect(states.map((s) => s.state)).to.deep.equal(orders.map(() => 'WRITTEN_OFF'));
    const rows = await this.writeOffRows();
    expect(rows.map((r) => r.serial).sort()).to.deep.equal(orders.map((o) => o.outTradeNo).sort());
    expect(rows.map((r) => r.status)).to.deep.equal(orders.map(() => 'delivered'));
  }

  async close(): Promise<void> {
    await Promise.all([this.paymentNode?.stop('SIGKILL'), this.writeOffNode?.stop('SIGKILL')]);
    await this.alipay.close();
    await this.marketing.close();
    await this.db.drop();
  }
}
