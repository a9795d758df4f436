import { DataSource } from 'typeorm';
import { GridbusConfig } from '../config';
import { HealthRegistry } from '../core/health';
import { OperationRunner } from '../core/operations';

/** What the composition root hands to each service factory. */
export interface ServiceDeps {
  config: GridbusConfig;
  health: HealthRegistry;
  /** Present when a service of this node needs the database. */
  dataSource: DataSource | null;
  /** Present when this node runs an integration (canonical operation) service. */
  operations: OperationRunner | null;
}

export function requireDep<T>(value: T | null, what: string, service: string): T {
  if (value === null) throw new Error(`service '${service}' needs ${what}, which this node did not set up`);
  return value;
}
