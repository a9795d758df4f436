/**
 * The one small contract every connector implements. Adapters know
 * protocols, never business words: which operation, topic or file is meant
 * comes from the mapping definitions.
 */
export type HealthStatus = 'up' | 'down' | 'degraded';

export interface AdapterHealth {
  status: HealthStatus;
  /** What an operator needs to act: the URL tried, the last error. */
  detail?: string;
}

export interface Adapter {
  /** Unique in the process, e.g. `soap:http://host/marketing/soap?wsdl`. */
  readonly id: string;
  readonly kind: 'soap' | 'sftp' | 'kafka' | 'http';
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<AdapterHealth>;
}

/** One exchange with a back-office system, kept for the message log. */
export interface Exchange<T = unknown> {
  body: T;
  rawRequest?: string;
  rawResponse?: string;
  durationMs: number;
}
