/** Probability of each fault at each chance it has (per step, per message, per call). */
export interface FaultRates {
  /** after any step: a service node dies (SIGKILL) and restarts later */
  crash: number;
  /** a request (notification or back-office call) is lost on the network */
  dropRequest: number;
  /** a reply is lost on the network */
  dropReply: number;
  /** a message takes seconds instead of milliseconds */
  netDelay: number;
  /** the back office posts slowly: the caller times out while it still applies */
  slowBackOffice: number;
  /** the back office answers a SOAP Server fault (BACKEND_UNAVAILABLE), nothing applied */
  backOfficeDown: number;
  /** a node's database round trip stalls past the outbox lease (a GC pause, a locked table) */
  dbStall: number;
  /** Alipay sends a notification once more although it got `success` */
  dupNotify: number;
}

/** Deliberate bugs, to prove the checker finds them (never on in a normal run). */
export type SimBug = 'back-office-no-dedupe' | 'trust-notified-amount' | 'ack-before-commit';

export interface SimConfig {
  orders: number;
  /** service nodes (each runs the payment service and an outbox worker) */
  nodes: number;
  /** faults happen during this much simulated time; then the drain */
  workMs: number;
  /** the drain must reach quiescence within this much simulated time */
  drainLimitMs: number;
  maxSteps: number;
  /** forged-amount, unknown-order and foreign-app notifications (correctly signed) */
  anomalies: number;
  faults: FaultRates;
  bug: SimBug | null;
  /**
   * The operator refunds a PARKED payment whole, as services/payment/refunds.ts does (no reversal: "a parked
   * payment was never posted"; its dead write-off discarded), instead of replaying its write-off.
   */
  operatorRefundsParked: boolean;
  /** fault ordinals suppressed (shrinking): the nth fault the run would inject does not happen */
  mask: number[];
}

export const DEFAULT_FAULTS: FaultRates = {
  crash: 0.01,
  dropRequest: 0.05,
  dropReply: 0.08,
  netDelay: 0.05,
  slowBackOffice: 0.25,
  backOfficeDown: 0.05,
  dbStall: 0.01,
  dupNotify: 0.15,
};

export const DEFAULT_CONFIG: SimConfig = {
  orders: 8,
  nodes: 2,
  workMs: 60_000,
  drainLimitMs: 600_000,
  maxSteps: 50_000,
  anomalies: 2,
  faults: DEFAULT_FAULTS,
  bug: null,
  operatorRefundsParked: false,
  mask: [],
};

export function configWith(over: Partial<SimConfig> = {}): SimConfig {
  return { ...DEFAULT_CONFIG, ...over, faults: { ...DEFAULT_FAULTS, ...(over.faults ?? {}) }, mask: [...(over.mask ?? [])] };
}
