import { DataSource } from 'typeorm';
import { GridbusConfig } from '../config';
import { ChannelRuntime } from '../core/channels/channel-runtime';
import { HealthRegistry } from '../core/health';
import { OperationRunner } from '../core/operations';
import type { PiiKeys } from './binding/pii-keys';

/** The Alipay open platform as services see it (the adapter, wired at start-up). */
export interface AlipayClient {
  call(method: string, params: Record<string, unknown>): Promise<{ ok: boolean; body: { code: string; msg: string; sub_code?: string; sub_msg?: string; [k: string]: unknown } }>;
}

/** What the composition root hands to each service factory. */
export interface ServiceDeps {
  config: GridbusConfig;
  health: HealthRegistry;
  /** Present when a service of this node needs the database. */
  dataSource: DataSource | null;
  /** Present when this node runs an integration (canonical operation) service. */
  operations: OperationRunner | null;
  /** Present when this node runs the alipay service and Alipay is configured. */
  alipay?: AlipayClient | null;
  /** The channels (mappings/channels) of this node's services, when it runs a service that has some. */
  channels?: ChannelRuntime | null;
  /** The keys of personal data at rest, when this node runs the binding service. */
  pii?: PiiKeys | null;
}

export function requireDep<T>(value: T | null, what: string, service: string): T {
  if (value === null) throw new Error(`service '${service}' needs ${what}, which this node did not set up`);
  return value;
}
