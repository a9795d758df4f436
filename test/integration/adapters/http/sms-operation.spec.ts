import { expect } from 'chai';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { SMS_SPECIAL_PHONES, SmsSimulator, startSmsSimulator } from '../../../../simulators/sms/server';

/** sms.send through the HTTP adapter against the SMS platform simulator: no database needed. */
describe('adapters/http - sms.send through the mapping and the HTTP adapter', function () {
  this.timeout(20000);
  let sim: SmsSimulator;
  let bus: RunningBus;
  const send = (params: Record<string, unknown>) => bus.broker.call('sms.send', params);

  before(async () => {
    sim = await startSmsSimulator({ slowDelayMs: 4000 });
    bus = await startBus(loadConfig({ SERVICES: 'sms', SMS_URL: sim.url, SIMULATORS: 'off', LOG_LEVEL: 'error', NODE_ID: 'sms-test' }));
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
  });

  it('sends a templated message: canonical kind becomes the template code, params a JSON string', async () => {
    const res = (await send({ mobile: '13800000001', kind: 'ARREARS_REMINDER', params: { accountNo: '3301000001', amount: '329.55' }, outId: 'o-1' })) as { messageId: string };
    expect(res.messageId).to.match(/\^/);
    const [m] = sim.sent().filter((x) => x.outId === 'o-1');
    expect(m).to.deep.include({ phone: '13800000001', templateCode: 'SMS_100002', bizId: res.messageId });
    expect(m.params).to.deep.equal({ accountNo: '3301000001', amount: '329.55' });
  });

  it('maps a platform refusal inside a normal answer to VALIDATION_FAILED', async () => {
    const err = await send({ mobile: '13800000002', kind: 'BILL_ISSUED', params: { accountNo: '3301000001' }, outId: 'o-2' }).catch((e) => e);
    expect(err.type).to.equal('VALIDATION_FAILED');
    expect(err.message).to.match(/refused the message as invalid/);
  });

  it('refuses bad canonical input before calling the platform', async () => {
    const before = sim.sent().length;
    const err = await send({ mobile: '12345', kind: 'BILL_ISSUED', params: {}, outId: 'o-3' }).catch((e) => e);
    expect(err.type).to.equal('VALIDATION_FAILED');
    expect(sim.sent().length).to.equal(before);
  });

  it('maps the business limit to RATE_LIMITED after five messages to one number', async () => {
    const phone = '13800000009';
    for (let i = 0; i < 5; i++) await send({ mobile: phone, kind: 'ARREARS_REMINDER', params: { accountNo: 'x', amount: '1' }, outId: `lim-${i}` });
    const err = await send({ mobile: phone, kind: 'ARREARS_REMINDER', params: { accountNo: 'x', amount: '1' }, outId: 'lim-6' }).catch((e) => e);
    expect(err.type).to.equal('RATE_LIMITED');
  });

  it('maps HTTP 500 through the faults rule to BACKEND_UNAVAILABLE and never retries a non-idempotent send', async () => {
    const before = sim.sendRequests();
    const err = await send({ mobile: SMS_SPECIAL_PHONES.SERVER_ERROR, kind: 'OUTAGE_NOTICE', params: { area: 'a', start: 's', end: 'e' }, outId: 'o-500' }).catch((e) => e);
    expect(err.type).to.equal('BACKEND_UNAVAILABLE');
    expect(sim.sendRequests() - before).to.equal(1);
    expect(err.message).to.equal('The SMS platform is temporarily unavailable');
  });

  it('times out after the mapping timeout with BACKEND_TIMEOUT', async () => {
    const err = await send({ mobile: SMS_SPECIAL_PHONES.SLOW, kind: 'OUTAGE_NOTICE', params: { area: 'a', start: 's', end: 'e' }, outId: 'o-slow' }).catch((e) => e);
    expect(err.type).to.equal('BACKEND_TIMEOUT');
  });
});
