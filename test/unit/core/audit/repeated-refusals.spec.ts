import { expect } from 'chai';
import { AuditEvent, RepeatedRefusals } from '../../../../core/audit';
import { FakeClock } from '../../../../core/resilience';

const rejected = (sourceIp: string, reason = 'token invalid', requestId = 'r'): AuditEvent => ({
  actor: 'anonymous',
  action: 'auth.token.rejected',
  outcome: 'denied',
  target: '/admin/api/audit',
  sourceIp,
  requestId,
  details: { reason },
});

function setup(options: { everyN?: number; maxKeys?: number } = {}) {
  const clock = new FakeClock(0);
  const written: AuditEvent[] = [];
  const refusals = new RepeatedRefusals(async (e) => written.push(e), { windowMs: 60_000, clock, ...options });
  /** What the audit service does: writes what `admit` lets through. */
  const offer = (e: AuditEvent) => {
    if (refusals.admit(e)) written.push(e);
  };
  return { clock, written, refusals, offer };
}

describe('core/audit - repeated refusals', () => {
  it('the first refusal is written at once; its repeats within the window become one row with the count, when the window closes', async () => {
    const s = setup();
    for (let i = 0; i < 50; i++) s.offer(rejected('10.0.0.1', 'token invalid', `r${i}`));
    expect(s.written).to.have.length(1);
    expect(s.written[0].details).to.deep.equal({ reason: 'token invalid' });
    await s.clock.advance(61_000);
    expect(s.written).to.have.length(2);
    expect(s.written[1]).to.deep.include({ action: 'auth.token.rejected', sourceIp: '10.0.0.1', requestId: 'r49' });
    expect(s.written[1].details).to.deep.include({ reason: 'token invalid', count: 49, windowS: 60 });
    expect(s.refusals.size, 'nothing kept once the window is written').to.equal(0);
  });

  it('every N repeats a row is written without waiting for the window', () => {
    const s = setup({ everyN: 100 });
    for (let i = 0; i < 200; i++) s.offer(rejected('10.0.0.1'));
    expect(s.written.map((e) => e.details?.count ?? 1)).to.deep.equal([1, 100]);
  });

  it('keys by action, actor, address and reason; other outcomes and actions are written as they come', () => {
    const s = setup();
    s.offer(rejected('10.0.0.1'));
    s.offer(rejected('10.0.0.2'));
    s.offer(rejected('10.0.0.1', 'token expired'));
    s.offer({ ...rejected('10.0.0.1'), outcome: 'success' });
    s.offer({ ...rejected('10.0.0.1'), outcome: 'success' });
    s.offer({ ...rejected('10.0.0.1'), action: 'alipay.notify.rejected' });
    s.offer({ ...rejected('10.0.0.1'), action: 'alipay.notify.rejected' });
    expect(s.written).to.have.length(7);
  });

  it('memory stays bounded: beyond maxKeys the oldest window is written and dropped', () => {
    const s = setup({ maxKeys: 3 });
    for (const ip of ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) s.offer(rejected(ip));
    expect(s.refusals.size).to.equal(3);
    expect(s.written.map((e) => [e.sourceIp, e.details?.count ?? 1])).to.deep.equal([
      ['10.0.0.1', 1],
      ['10.0.0.2', 1],
      ['10.0.0.3', 1],
      ['10.0.0.1', 1],
      ['10.0.0.4', 1],
    ]);
  });

  it('close - writes what is pending (shutdown)', async () => {
    const s = setup();
    s.offer(rejected('10.0.0.1'));
    s.offer(rejected('10.0.0.1'));
    await s.refusals.close();
    expect(s.written.map((e) => e.details?.count ?? 1)).to.deep.equal([1, 1]);
  });
});
