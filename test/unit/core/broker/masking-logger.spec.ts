import { expect } from 'chai';
import { ServiceBroker } from 'moleculer';
import { MaskingConsoleLogger } from '../../../../core/broker/masking-logger';

describe('core/broker - masking logger', () => {
  it('masks URL credentials in every line: text, objects and errors (stack included)', async () => {
    const broker = new ServiceBroker({ nodeID: 'unit-log', logger: new MaskingConsoleLogger({ level: 'info', formatter: 'short', colors: false }) });
    const printed: string[] = [];
    const original = { log: console.log, warn: console.warn, error: console.error };
    const capture = (...args: unknown[]) => printed.push(args.map(String).join(' '));
    Object.assign(console, { log: capture, warn: capture, error: capture });
    try {
      const log = broker.getLogger('unit');
      log.info('over nats://gw:s3cret@10.0.0.1:4222');
      log.warn('config', { url: 'http://svc:pw@h/x?wsdl' });
      log.error(new Error('GET https://h/p?access_token=tok123 failed'));
    } finally {
      Object.assign(console, original);
    }
    const text = printed.join('\n');
    expect(text).to.include('nats://gw:***@10.0.0.1:4222');
    expect(text).to.include('http://svc:***@h/x?wsdl');
    expect(text).to.include('access_token=***');
    for (const secret of ['s3cret', ':pw@', 'tok123']) expect(text).to.not.include(secret);
    expect(text).to.match(/INFO +UNIT: over/);
  });
});
