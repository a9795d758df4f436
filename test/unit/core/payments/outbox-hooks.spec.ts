import { expect } from 'chai';
import type { OutboxSettlement } from '../../../../core/outbox/settle-hook';
import { ORDER_STATES, transition } from '../../../../core/payments/order-machine';
import { writeOffEvent } from '../../../../core/payments/outbox-hooks';

describe('payments outbox hooks - how a write-off row moves its order', () => {
  const delivered: OutboxSettlement = { status: 'delivered', answer: { outcome: 'APPLIED', writeOffNo: 'WO1' } };
  const unknown: OutboxSettlement = { status: 'unknown', reason: 'REQUEST_TIMEOUT', parked: false };

  it('a delivered write-off (APPLIED or ALREADY_DONE) is WRITEOFF_DONE', () => {
    expect(writeOffEvent(delivered, 'PAID')).to.equal('WRITEOFF_DONE');
    expect(writeOffEvent({ status: 'delivered', answer: { outcome: 'ALREADY_DONE', writeOffNo: null } }, 'SUSPECT')).to.equal('WRITEOFF_DONE');
  });

  it('an unknown outcome, held or parked, is WRITEOFF_UNKNOWN (SUSPECT, never a second write-off)', () => {
    expect(writeOffEvent(unknown, 'PAID')).to.equal('WRITEOFF_UNKNOWN');
    expect(writeOffEvent({ ...unknown, parked: true } as OutboxSettlement, 'SUSPECT')).to.equal('WRITEOFF_UNKNOWN');
  });

  it('a dead row parks the order; an operator replay sends it back to PAID', () => {
    expect(writeOffEvent({ status: 'dead', reason: 'ACCOUNT_CLOSED' }, 'PAID')).to.equal('WRITEOFF_PARKED');
    expect(writeOffEvent({ status: 'replayed' }, 'PARKED')).to.equal('WRITEOFF_RETRIED');
  });

  it('a retry moves the order only when a suspect write-off was found not applied and is resent', () => {
    expect(writeOffEvent({ status: 'pending', reason: 'x', resent: true }, 'SUSPECT')).to.equal('WRITEOFF_RETRIED');
    expect(writeOffEvent({ status: 'pending', reason: 'x', resent: true }, 'PAID')).to.equal(null);
    expect(writeOffEvent({ status: 'pending', reason: 'BACKEND_UNAVAILABLE', resent: false }, 'SUSPECT')).to.equal(null);
    expect(writeOffEvent({ status: 'pending', reason: null, resent: false }, 'PAID')).to.equal(null);
  });

  it('a discarded row does not move the order (an operator decided, with a reason)', () => {
    expect(writeOffEvent({ status: 'discarded', reason: 'paid twice by hand' }, 'PARKED')).to.equal(null);
  });

  it('never asks the machine for a forbidden move while the write-off is in flight', () => {
    // a row is claimed only while its order is PAID or SUSPECT (a dead row is replayed first, moving PARKED to PAID)
    const settlements: OutboxSettlement[] = [delivered, unknown, { status: 'dead', reason: 'r' }, { status: 'pending', reason: 'r', resent: true }, { status: 'pending', reason: null, resent: false }];
    for (const state of ['PAID', 'SUSPECT'] as const) {
      for (const s of settlements) {
        const event = writeOffEvent(s, state);
        if (event) expect(transition(state, event).kind, `${s.status} in ${state}: ${event}`).to.not.equal('forbidden');
      }
    }
    expect(ORDER_STATES).to.include('SUSPECT');
  });

  it('a replayed row moves a parked or suspect order back to PAID, to be sent again with the same serial', () => {
    expect(transition('PARKED', writeOffEvent({ status: 'replayed' }, 'PARKED')!)).to.include({ kind: 'move', to: 'PAID', writeOff: false });
    expect(transition('SUSPECT', writeOffEvent({ status: 'replayed' }, 'SUSPECT')!)).to.include({ kind: 'move', to: 'PAID', writeOff: false });
  });
});
