import 'reflect-metadata';
import { ServiceBroker } from 'moleculer';
import { DataSource } from 'typeorm';
import { AdapterRegistry, endpointInvoker } from '../adapters/registry';
import { GridbusConfig } from '../config';
import { createBroker } from '../core/broker';
import { EmbeddedDatabase, openDatabase, startEmbeddedPostgres } from '../core/db';
import { HealthRegistry } from '../core/health';
import { loadOperations } from '../core/mapping';
import { OperationRunner } from '../core/operations';
import { SERVICE_CATALOG, resolveServiceNames } from '../services/catalog';
import { createHealthService } from '../services/health/health.service';
import { startMarketingSimulator } from '../simulators/marketing/server';

export interface RunningBus {
  broker: ServiceBroker;
  config: GridbusConfig;
  services: string[];
  /** Gateway URL when this node runs the gateway. */
  gatewayUrl: string | null;
  marketingWsdlUrl: string | null;
  databaseUrl: string | null;
  embeddedDatabase: boolean;
  stop(): Promise<void>;
}

/**
 * The composition root: the one place that knows every layer. It decides
 * what this node needs (database, simulators, adapters) from the services
 * it runs, wires them, and stops them in reverse order.
 */
export async function startBus(config: GridbusConfig): Promise<RunningBus> {
  const services = resolveServiceNames(config.services);
  const broker = createBroker(config);
  const log = broker.getLogger('bootstrap');
  const stack: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    while (stack.length) {
      const stop = stack.pop()!;
      await stop().catch((err: Error) => log.warn(`while stopping: ${err.message}`));
    }
  };

  try {
    const health = new HealthRegistry();
    const systems = services.map((s) => SERVICE_CATALOG[s].servesSystem).filter((s): s is string => !!s);

    // Simulators stand in for the back office when nothing real is configured.
    let wsdlUrl = config.marketing.wsdlUrl;
    const wantSimulator = config.simulators.mode === 'on' || (config.simulators.mode === 'auto' && systems.includes('marketing') && !wsdlUrl);
    if (wantSimulator) {
      const sim = await startMarketingSimulator({ host: config.http.host, port: config.simulators.port });
      stack.push(() => sim.close());
      wsdlUrl = wsdlUrl ?? sim.wsdlUrl;
      log.info(`marketing-system simulator (SOAP) listening, WSDL ${sim.wsdlUrl}`);
    }
    if (systems.includes('marketing') && !wsdlUrl) {
      throw new Error('Invalid configuration: MARKETING_WSDL_URL must be set when the marketing service runs with SIMULATORS=off');
    }

    // Database: the configured server, or the embedded one under ./var.
    let dataSource: DataSource | null = null;
    let databaseUrl: string | null = null;
    let embedded: EmbeddedDatabase | null = null;
    if (services.some((s) => SERVICE_CATALOG[s].needsDatabase)) {
      databaseUrl = config.database.url;
      if (!databaseUrl) {
        embedded = await startEmbeddedPostgres({ dir: config.database.embeddedDir, port: config.database.embeddedPort, log: (m) => log.info(m) });
        const db = embedded;
        stack.push(() => db.stop());
        databaseUrl = embedded.url;
        log.info(`embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}, data in ${config.database.embeddedDir}`);
      }
      const opened = await openDatabase(databaseUrl, { applicationName: `gridbus:${config.nodeId}` });
      dataSource = opened.dataSource;
      const ds = dataSource;
      stack.push(() => ds.destroy());
      log.info(opened.applied.length ? `migrations applied: ${opened.applied.join(', ')}` : 'database schema is up to date');
      health.register('database', async () => {
        await ds.query('SELECT 1');
        return { status: 'up' };
      });
    }

    // Canonical operations and the adapters behind them.
    let operations: OperationRunner | null = null;
    if (systems.length) {
      const registry = new AdapterRegistry();
      const defs = loadOperations(config.mappingsDir, { MARKETING_WSDL_URL: wsdlUrl ?? undefined });
      operations = new OperationRunner(defs, endpointInvoker(registry));
      for (const op of defs.values()) if (op.endpoint.adapter === 'soap') registry.soapFor(op.endpoint);
      await registry.startAll();
      stack.push(() => registry.stopAll());
      for (const adapter of registry.all()) health.register(`adapter ${adapter.id}`, () => adapter.health());
      log.info(`operations loaded from ${config.mappingsDir}: ${[...defs.keys()].join(', ') || 'none'}`);
    }

    health.register('transporter', () => {
      if (!config.natsUrl) return { status: 'disabled', detail: 'single process, no transporter' };
      const connected = (broker.transit as { connected?: boolean } | undefined)?.connected === true;
      return connected ? { status: 'up', detail: config.natsUrl } : { status: 'down', detail: `not connected to ${config.natsUrl}` };
    });
    if (!config.kafka.brokers.length) log.info('Kafka consumers are off: no KAFKA_BROKERS configured');

    const deps = { config, health, dataSource, operations };
    broker.createService(createHealthService(deps));
    for (const name of services) broker.createService(SERVICE_CATALOG[name].create(deps));
    await broker.start();
    stack.push(() => broker.stop());

    let gatewayUrl: string | null = null;
    if (services.includes('gateway')) {
      const api = broker.getLocalService('api') as unknown as { server: { address(): { port: number } } };
      gatewayUrl = `http://${config.http.host}:${api.server.address().port}`;
    }
    return {
      broker,
      config,
      services,
      gatewayUrl,
      marketingWsdlUrl: wsdlUrl,
      databaseUrl,
      embeddedDatabase: embedded !== null,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
