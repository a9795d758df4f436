import { expect } from 'chai';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { startUsercenterSimulator, UsercenterSimulator } from '../../../simulators/usercenter/server';

/**
 * The unified user system simulator through the usercenter.* mappings and the
 * HTTP adapter (a bus running only the usercenter service, no database): the
 * canonical shapes in and out, a serial applied once, refusals and faults as
 * stable codes.
 */
describe('simulators/usercenter - the unified user system through its mappings', function () {
  this.timeout(30000);
  let sim: UsercenterSimulator;
  let bus: RunningBus;
  const call = (op: string, params: Record<string, unknown>) => bus.broker.call(`usercenter.${op}`, params) as Promise<Record<string, unknown>>;

  before(async () => {
    sim = await startUsercenterSimulator();
    bus = await startBus(loadConfig({ SERVICES: 'usercenter', USERCENTER_URL: sim.url, SIMULATORS: 'off', LOG_LEVEL: 'error', NODE_ID: `usercenter-${process.pid}` }));
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
  });

  it('usercenter - findUserByMobile answers found and the unified id of an app user, found false for an unknown mobile', async () => {
    const uid = sim.seedAppUser('13900000001');
    expect(await call('findUserByMobile', { mobile: '13900000001' })).to.deep.equal({ found: true, unifiedUserId: uid });
    expect(await call('findUserByMobile', { mobile: '13900000002' })).to.deep.equal({ found: false, unifiedUserId: null });
  });

  it('usercenter - registerUser creates once per serial: a repeat answers ALREADY_DONE with the same id; the mobile keys the user', async () => {
    const req = { serial: 'reg-1', mobile: '13900000003', alipayUserId: '2088100000000003', realNameStatus: 'VERIFIED' };
    const first = await call('registerUser', req);
    expect(first).to.deep.include({ outcome: 'CREATED' });
    expect(await call('registerUser', req)).to.deep.equal({ unifiedUserId: first.unifiedUserId, outcome: 'ALREADY_DONE' });
    expect(sim.receivedBySerial().get('reg-1')).to.equal(2);
    expect(sim.applied().filter((a) => a.serial === 'reg-1')).to.have.length(1);
    expect(sim.users().find((u) => u.uid === first.unifiedUserId)).to.include({ mobile: '13900000003', alipayUid: '2088100000000003', certStatus: 'Y', source: 'LIFE_NUMBER' });
    // another serial for the same mobile is the same user
    expect((await call('registerUser', { ...req, serial: 'reg-2' })).unifiedUserId).to.equal(first.unifiedUserId);
  });

  it('usercenter - pushBinding binds and unbinds per serial, with the kind in the system\'s words; an unknown unified user is NOT_FOUND', async () => {
    const uid = sim.seedAppUser('13900000004');
    expect(await call('pushBinding', { serial: 'b-1', unifiedUserId: uid, accountNo: '3301000001', action: 'BIND', kind: 'MANUAL' })).to.deep.equal({ outcome: 'APPLIED' });
    expect(await call('pushBinding', { serial: 'b-1', unifiedUserId: uid, accountNo: '3301000001', action: 'BIND', kind: 'MANUAL' })).to.deep.equal({ outcome: 'ALREADY_DONE' });
    expect(sim.bindingsOf(uid)).to.deep.equal([{ consNo: '3301000001', bindType: 'HOLDER_CHECK' }]);
    expect(await call('pushBinding', { serial: 'b-2', unifiedUserId: uid, accountNo: '3301000001', action: 'UNBIND', kind: 'MANUAL' })).to.deep.equal({ outcome: 'APPLIED' });
    expect(sim.bindingsOf(uid)).to.deep.equal([]);
    const err = await call('pushBinding', { serial: 'b-3', unifiedUserId: 'UC-nobody', accountNo: '3301000001', action: 'BIND', kind: 'IDENTITY' }).catch((e) => e);
    expect(err.type).to.equal('NOT_FOUND');
    expect(err.message).to.contain('does not know this unified user');
  });

  it('usercenter - updateRealName applies the status once per serial', async () => {
    const uid = sim.seedAppUser('13900000005');
    expect(await call('updateRealName', { serial: 'rn-1', unifiedUserId: uid, realNameStatus: 'VERIFIED' })).to.deep.equal({ outcome: 'APPLIED' });
    expect(sim.users().find((u) => u.uid === uid)!.certStatus).to.equal('Y');
    expect(await call('updateRealName', { serial: 'rn-1', unifiedUserId: uid, realNameStatus: 'VERIFIED' })).to.deep.equal({ outcome: 'ALREADY_DONE' });
  });

  it('usercenter - bad canonical input is refused before the call; a 500 is BACKEND_UNAVAILABLE, retryable', async () => {
    const before = sim.receivedBySerial().size;
    const bad = await call('pushBinding', { serial: 'b-9', unifiedUserId: 'x', accountNo: '33010', action: 'BIND', kind: 'IDENTITY' }).catch((e) => e);
    expect(bad.type).to.equal('VALIDATION_FAILED');
    expect(sim.receivedBySerial().size).to.equal(before);
    sim.failNext(1);
    const down = await call('findUserByMobile', { mobile: '13900000001' }).catch((e) => e);
    expect(down.type).to.equal('BACKEND_UNAVAILABLE');
    expect(down.retryable).to.equal(true);
  });
});
