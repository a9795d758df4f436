import { FieldSpec } from './field-compiler';

export type { ConditionSpec as Condition } from './field-compiler';
import type { ConditionSpec as Condition } from './field-compiler';

export interface RaiseRule {
  raise: string;
  message?: string;
  retryable?: boolean;
}

export interface SoapEndpoint {
  adapter: 'soap';
  wsdl: string;
  operation: string;
  timeoutMs?: number;
  retries?: number;
}

export interface HttpEndpoint {
  adapter: 'http';
  /** Full URL; `{name}` placeholders are filled from the mapped request's `path` object. */
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  timeoutMs?: number;
  retries?: number;
}

export type Endpoint = SoapEndpoint | HttpEndpoint;

/** An operation definition as written in mappings/operations/*.yaml. */
export interface OperationDefinition {
  operation: string;
  version: number;
  description?: string;
  idempotent?: boolean;
  /** The query operation ({ serial } → { found }) that settles an unknown outcome in the outbox. */
  settle?: { query: string };
  input?: Record<string, unknown>;
  /** timeout, retries, breaker, bulkhead (see core/resilience/options.ts). */
  resilience?: unknown;
  /** Answers kept in memory per node (idempotent operations only). */
  cache?: { ttl: number | string; maxEntries?: number };
  endpoint: Endpoint;
  request: Record<string, FieldSpec>;
  response: {
    success?: Condition;
    errors?: Array<RaiseRule & { when: Condition }>;
    map: Record<string, FieldSpec>;
  };
  faults?: Array<RaiseRule & { match: { faultcode?: string; faultstring?: string; status?: number } }>;
}
