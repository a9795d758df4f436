import { expect } from 'chai';
import { HealthRegistry } from '../../../../core/health';

describe('core/health - health registry', () => {
  it('report - masks URL credentials in dependency names and details, also in a failing check', async () => {
    const health = new HealthRegistry();
    health.register('adapter soap:http://svc:pw@10.0.0.5/marketing?wsdl', () => ({ status: 'up', detail: 'http://svc:pw@10.0.0.5/marketing?wsdl' }));
    health.register('transporter', () => {
      throw new Error('not connected to nats://gw:s3cret@10.0.0.1:4222');
    });
    const report = await health.report();
    expect(report).to.deep.equal({
      'adapter soap:http://svc:***@10.0.0.5/marketing?wsdl': { status: 'up', detail: 'http://svc:***@10.0.0.5/marketing?wsdl' },
      transporter: { status: 'down', detail: 'not connected to nats://gw:***@10.0.0.1:4222' },
    });
  });
});
