import { expect } from 'chai';
import { FakeClock } from '../../../../../core/resilience';
import { CircuitGate } from '../../../../../services/gateway/policies/circuit-gate';

function setup(serving: Record<string, string[] | null> = { 'marketing.queryArrears': ['svc-1'] }) {
  const clock = new FakeClock(1_000_000);
  const gate = new CircuitGate(clock, (op) => (op in serving ? serving[op] : null));
  return { clock, gate, serving };
}

const OP = 'marketing.queryArrears';

describe('gateway/policies - circuit gate (fail fast on an open breaker)', () => {
  it('refuses at once with 503 SERVICE_UNAVAILABLE and Retry-After while the operation is open', () => {
    const s = setup();
    expect(s.gate.check([OP])).to.equal(null);
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1', retryAfterMs: 10_000 });
    expect(s.gate.check([OP])).to.deep.equal({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: 'The service is temporarily unavailable; try again shortly',
      retryAfterS: 10,
      details: { reason: 'circuit open', operation: OP },
    });
    expect(s.gate.check(['sms.send'])).to.equal(null);
  });

  it('lets a trial through once retryAfterMs has passed, as the breaker itself does', async () => {
    const s = setup();
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1', retryAfterMs: 10_000 });
    await s.clock.advance(4_500);
    expect(s.gate.check([OP])?.retryAfterS).to.equal(6);
    await s.clock.advance(5_500);
    expect(s.gate.check([OP])).to.equal(null);
    expect(s.gate.openOperations()).to.deep.equal([]);
  });

  it('half-open and closed clear it', () => {
    const s = setup();
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1', retryAfterMs: 10_000 });
    s.gate.onEvent('half-open', { operation: OP, nodeId: 'svc-1' });
    expect(s.gate.check([OP])).to.equal(null);
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1', retryAfterMs: 10_000 });
    s.gate.onEvent('closed', { operation: OP, nodeId: 'svc-1' });
    expect(s.gate.check([OP])).to.equal(null);
  });

  it('several nodes serve the operation - refused only when it is open on every one of them', async () => {
    const s = setup({ [OP]: ['svc-1', 'svc-2'] });
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1', retryAfterMs: 10_000 });
    expect(s.gate.check([OP]), 'svc-2 may still answer').to.equal(null);
    await s.clock.advance(2_000);
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-2', retryAfterMs: 10_000 });
    expect(s.gate.check([OP])?.retryAfterS, 'the soonest node to try again').to.equal(8);
    s.serving[OP] = ['svc-2'];
    expect(s.gate.check([OP])?.retryAfterS, 'svc-1 left the cluster').to.equal(10);
  });

  it('any one open dependency refuses the route', () => {
    const s = setup({ [OP]: ['svc-1'], 'sms.send': ['svc-1'] });
    s.gate.onEvent('open', { operation: 'sms.send', nodeId: 'svc-1', retryAfterMs: 3_000 });
    expect(s.gate.check([OP, 'sms.send'])?.details).to.deep.equal({ reason: 'circuit open', operation: 'sms.send' });
  });

  it('ignores malformed events; an open event without retryAfterMs holds 10 s', () => {
    const s = setup();
    s.gate.onEvent('open', null as never);
    s.gate.onEvent('open', { operation: 42, nodeId: 'x' } as never);
    expect(s.gate.openOperations()).to.deep.equal([]);
    s.gate.onEvent('open', { operation: OP, nodeId: 'svc-1' });
    expect(s.gate.check([OP])?.retryAfterS).to.equal(10);
  });
});
