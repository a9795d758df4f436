import 'reflect-metadata';
import * as path from 'path';
import { ServiceBroker } from 'moleculer';
import { DataSource } from 'typeorm';
import { AlipayAdapter } from '../adapters/alipay/alipay-adapter';
import { loadOrCreateDevAppKeys } from '../adapters/alipay/keys';
import { AdapterRegistry, endpointInvoker } from '../adapters/registry';
import { GridbusConfig } from '../config';
import { SETTING_VARIABLES } from '../config/variables';
import { ChannelRuntime } from '../core/channels/channel-runtime';
import { SINKS } from '../core/channels/sinks';
import { createBroker } from '../core/broker';
import { EmbeddedDatabase, openDatabase, startEmbeddedPostgres } from '../core/db';
import { HealthRegistry } from '../core/health';
import { ActiveMappings, MappingRegistry, readMappingFiles } from '../core/mapping';
import { nodeVariables } from '../core/mapping/variables';
import { exchangeRecorder } from '../core/message-log';
import { exportAdapterCounters } from '../core/metrics/adapter-metrics';
import { recordOperationMetrics, registerOperationMetrics, setCircuitGauge } from '../core/metrics/operation-metrics';
import { OperationRunner } from '../core/operations';
import { SERVICE_CATALOG, resolveServiceNames } from '../services/catalog';
import { seedDemoBinding } from '../services/binding/demo-binding';
import { seedDemoReadings } from '../core/collection/demo-readings';
import { PiiKeys, resolvePiiKeys } from '../services/binding/pii-keys';
import { describeJwtKeys, resolveJwtKeys, TOKEN_SERVICES } from '../services/auth/jwt-keys';
import { createHealthService } from '../services/health/health.service';
import { createMappingAgentService } from '../services/mapping/mapping-agent.service';
import { SIMULATOR_APP_ID } from '../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../simulators/alipay/server';
import { HOUSEHOLDS } from '../simulators/marketing/dataset';
import { startMarketingSimulator } from '../simulators/marketing/server';
import { startSmsSimulator } from '../simulators/sms/server';
import { startUsercenterSimulator } from '../simulators/usercenter/server';

export interface RunningBus {
  broker: ServiceBroker;
  config: GridbusConfig;
  services: string[];
  /** Gateway URL when this node runs the gateway. */
  gatewayUrl: string | null;
  marketingWsdlUrl: string | null;
  databaseUrl: string | null;
  embeddedDatabase: boolean;
  /** The in-process Alipay simulator, when this node started one. */
  alipaySimulator: AlipaySimulator | null;
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

    // Personal data at rest: configured keys, or the embedded default's pair under VAR_DIR; refused before anything starts.
    const pii: PiiKeys | null = services.some((s) => SERVICE_CATALOG[s].needsPii) ? resolvePiiKeys(config) : null;
    // Token keys, the same way: configured, or the embedded default's ring under VAR_DIR; no built-in key.
    if (services.some((s) => TOKEN_SERVICES.includes(s))) {
      const jwtKeys = resolveJwtKeys(config);
      config = { ...config, auth: jwtKeys.auth };
      log.info(describeJwtKeys(jwtKeys));
    }

    // Simulators stand in for the back office when nothing real is configured.
    const simulatorWanted = (system: string, configured: string | null) =>
      config.simulators.mode === 'on' || (config.simulators.mode === 'auto' && systems.includes(system) && !configured);
    let wsdlUrl = config.marketing.wsdlUrl;
    let marketingSimulated = false;
    if (simulatorWanted('marketing', wsdlUrl)) {
      marketingSimulated = !wsdlUrl;
      const sim = await startMarketingSimulator({ host: config.http.host, port: config.simulators.port });
      stack.push(() => sim.close());
      wsdlUrl = wsdlUrl ?? sim.wsdlUrl;
      log.info(`marketing-system simulator (SOAP) listening, WSDL ${sim.wsdlUrl}`);
    }
    let smsUrl = config.sms.url;
    if (simulatorWanted('sms', smsUrl)) {
      const sim = await startSmsSimulator({ host: config.http.host });
      stack.push(() => sim.close());
      smsUrl = smsUrl ?? sim.url;
      log.info(`SMS platform simulator (HTTP/JSON) listening on ${sim.url}`);
    }
    let usercenterUrl = config.usercenter.url;
    if (simulatorWanted('usercenter', usercenterUrl)) {
      const sim = await startUsercenterSimulator({ host: config.http.host });
      stack.push(() => sim.close());
      usercenterUrl = usercenterUrl ?? sim.url;
      log.info(`unified user system simulator (HTTP/JSON) listening on ${sim.url}`);
    }
    if (systems.includes('usercenter') && !usercenterUrl) {
      throw new Error('Invalid configuration: USERCENTER_URL must be set when the usercenter service runs with SIMULATORS=off');
    }
    if (systems.includes('marketing') && !wsdlUrl) {
      throw new Error('Invalid configuration: MARKETING_WSDL_URL must be set when the marketing service runs with SIMULATORS=off');
    }
    if (systems.includes('sms') && !smsUrl) {
      throw new Error('Invalid configuration: SMS_URL must be set when the sms service runs with SIMULATORS=off');
    }
    // ${NAME} in definitions: GRIDBUS_VAR_<NAME> and the settings of config/variables.ts; the back-office URLs may be a simulator's.
    const variables = nodeVariables(
      { ...config.variables, MARKETING_WSDL_URL: wsdlUrl ?? undefined, SMS_URL: smsUrl ?? undefined, USERCENTER_URL: usercenterUrl ?? undefined },
      config.nodeId,
      Object.fromEntries(SETTING_VARIABLES.map((name) => [name, name])),
    );

    // Alipay: the open platform, or its simulator; with nothing configured, a
    // development app key pair under VAR_DIR and the simulator's public key.
    let runConfig = config;
    let alipaySim: AlipaySimulator | null = null;
    const alipayUsed = services.includes('gateway') || services.includes('payment') || services.includes('alipay');
    if (alipayUsed && (config.simulators.mode === 'on' || (config.simulators.mode === 'auto' && !config.alipay.gatewayUrl))) {
      const dev = config.alipay.appPrivateKey ? null : loadOrCreateDevAppKeys(path.join(config.varDir, 'alipay'));
      const appPrivateKey = dev ? dev.privateKeyPem : config.alipay.appPrivateKey!;
      const appPublicKey = dev ? dev.publicKeyPem : config.alipay.appPublicKey!;
      const appId = config.alipay.appId ?? SIMULATOR_APP_ID;
      const sim = await startAlipaySimulator({ host: config.http.host, appId, appPublicKey });
      alipaySim = sim;
      stack.push(() => sim.close());
      runConfig = {
        ...config,
        alipay: {
          ...config.alipay,
          gatewayUrl: config.alipay.gatewayUrl ?? sim.gatewayUrl,
          appId,
          appPrivateKey,
          appPublicKey,
          alipayPublicKey: config.alipay.alipayPublicKey ?? sim.alipayPublicKeyPem,
        },
      };
      const keys = dev ? `; development app key ${dev.created ? 'generated' : 'reused'} (${dev.file}) and the simulator's public key in use, app id ${appId}` : '';
      log.info(`Alipay open-platform simulator listening, gateway ${sim.gatewayUrl}${keys}`);
    } else if (alipayUsed && (!config.alipay.appId || !config.alipay.alipayPublicKey)) {
      log.warn('Alipay is not configured (ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY): /alipay/* answers 503 until it is');
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
        log.info(`embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}, data in ${embedded.dataDir}, log ${embedded.logFile}`);
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

    // Canonical operations, the mapping version they run on, and the adapters behind them.
    let operations: OperationRunner | null = null;
    registerOperationMetrics(broker);
    let mappings: MappingRegistry | null = null;
    if (systems.length) {
      const adapters = new AdapterRegistry();
      const registry = new MappingRegistry(
        variables,
        { version: 'local', files: readMappingFiles(config.mappingsDir) },
        systems,
      );
      mappings = registry;
      const watched = new Set<string>();
      const ensureAdapters = (active: ActiveMappings) => {
        for (const op of active.bundle.operations.values()) {
          const adapter = adapters.forEndpoint(op.endpoint);
          if (!watched.has(adapter.id)) {
            watched.add(adapter.id);
            health.register(`adapter ${adapter.id}`, () => adapter.health());
          }
        }
      };
      ensureAdapters(registry.current());
      registry.onChange((active) => {
        ensureAdapters(active);
        void adapters.startAll();
      });
      await adapters.startAll();
      stack.push(() => adapters.stopAll());
      // The message log keeps a sample per operation (MESSAGE_LOG_*_PER_SECOND), masked before it leaves the node.
      const recordExchange = exchangeRecorder(config.nodeId, config.messageLog, (record) => {
        broker.emit('operations.exchange', record).catch(() => undefined);
      });
      operations = new OperationRunner(registry, endpointInvoker(adapters), {
        onExchange: (event) => {
          recordOperationMetrics(broker, event);
          recordExchange(event);
        },
        onCircuitChange: (operation, from, to, retryAfterMs) => {
          log.warn(`circuit of ${operation}: ${from} -> ${to}${retryAfterMs ? ` (retry after ${retryAfterMs} ms)` : ''}`);
          setCircuitGauge(broker, operation, to);
          broker.broadcast(`operations.circuit.${to}`, { operation, nodeId: config.nodeId, retryAfterMs }).catch(() => undefined);
        },
      });
      const runner = operations;
      health.register('circuits', () => {
        const open = runner.snapshots().filter((s) => s.breaker && s.breaker.state !== 'closed');
        return open.length
          ? { status: 'degraded', detail: open.map((s) => `${s.key} ${s.breaker!.state}`).join(', ') }
          : { status: 'up', detail: 'all closed' };
      });
      health.register('mappings', () => {
        const { version } = registry.current();
        const detail = `release ${version}${registry.lastActivationError ? `; ${registry.lastActivationError}` : ''}`;
        return { status: registry.lastActivationError ? 'degraded' : 'up', detail };
      });
      log.info(`operations loaded from ${config.mappingsDir}: ${operations.names().join(', ') || 'none'}`);
    }

    health.register('transporter', () => {
      if (!config.natsUrl) return { status: 'disabled', detail: 'single process, no transporter' };
      const connected = (broker.transit as { connected?: boolean } | undefined)?.connected === true;
      return connected ? { status: 'up', detail: config.natsUrl } : { status: 'down', detail: `not connected to ${config.natsUrl}` };
    });

    // The Alipay OpenAPI client, for the alipay service (identity calls).
    let alipay: AlipayAdapter | null = null;
    const a = runConfig.alipay;
    if (services.includes('alipay') && a.gatewayUrl && a.appId && a.appPrivateKey && a.alipayPublicKey) {
      const adapter = new AlipayAdapter({ gatewayUrl: a.gatewayUrl, appId: a.appId, appPrivateKey: a.appPrivateKey, alipayPublicKey: a.alipayPublicKey });
      alipay = adapter;
      health.register(`adapter ${adapter.id}`, () => adapter.health());
    }

    // File and topic channels read layouts and shapes from the active release; a node without
    // operations still needs the registry (it compiles no operations: no systems).
    const channelMappings = (): MappingRegistry =>
      (mappings ??= new MappingRegistry(variables, { version: 'local', files: readMappingFiles(config.mappingsDir) }, []));

    // Channels (mappings/channels): the drops and topics declared for this node's services, kept on the active release.
    let channels: ChannelRuntime | null = null;
    const channelServices = services.filter((s) => [...SINKS.values()].some((sink) => sink.service === s));
    if (channelServices.length && dataSource) {
      channels = new ChannelRuntime({
        nodeId: config.nodeId,
        services: channelServices,
        variables,
        dataSource,
        registry: channelMappings(),
        health,
        logger: (name) => broker.getLogger(`channel ${name}`),
        exportMetrics: (adapterId, read) => exportAdapterCounters(broker, adapterId, read),
      });
    }

    const deps = { config: runConfig, health, dataSource, operations, alipay, pii, channels };
    broker.createService(createHealthService(deps));
    if (mappings) broker.createService(createMappingAgentService(mappings, config.nodeId, channels ? (bundle) => channels!.check(bundle) : undefined));
    for (const name of services) broker.createService(SERVICE_CATALOG[name].create(deps));
    await broker.start();
    stack.push(() => broker.stop());
    if (channels) {
      const running = channels;
      await running.start();
      stack.push(() => running.stop());
    }

    // The demo of the embedded default: `gridbus token`'s user (demo-user) owns the simulator's first household.
    if (pii && dataSource && embedded && marketingSimulated) {
      const h = HOUSEHOLDS[0];
      const seeded = await seedDemoBinding(dataSource, pii, 'demo-user', h.ConsNo, { certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName });
      if (seeded) log.info(`demo: user 'demo-user' (npm run token) bound to the marketing simulator's household ${h.ConsNo}; embedded default with the simulator only, done once`);
      if (await seedDemoReadings(dataSource, h.ConsNo)) log.info(`demo: 60 days of meter readings of household ${h.ConsNo} up to yesterday, for /api/v1/accounts/${h.ConsNo}/usage/daily; done once`);
    }

    let gatewayUrl: string | null = null;
    if (services.includes('gateway')) {
      const api = broker.getLocalService('api') as unknown as { server: { address(): { port: number } } };
      gatewayUrl = `http://${config.http.host}:${api.server.address().port}`;
      alipaySim?.setNotifyUrl(`${gatewayUrl}/alipay/notify`);
    }
    return {
      broker,
      config: runConfig,
      services,
      gatewayUrl,
      marketingWsdlUrl: wsdlUrl,
      databaseUrl,
      embeddedDatabase: embedded !== null,
      alipaySimulator: alipaySim,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
