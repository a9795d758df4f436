import { expect } from 'chai';
import { ABSORBED, FINAL, isOrderState, MONEY_TAKEN, ORDER_EVENTS, ORDER_STATES, OrderEvent, OrderState, transition, TRANSITIONS } from '../../../../core/payments/order-machine';

/** The contract's edges (docs/payments.md), written out by hand: the table must be exactly these. */
const EDGES: Array<[OrderState, OrderEvent, OrderState]> = [
  ['CREATED', 'TRADE_CREATED', 'WAIT_PAY'],
  ['CREATED', 'CREATE_REFUSED', 'FAILED'],
  ['CREATED', 'PAID', 'PAID'],
  ['CREATED', 'CLOSED', 'CLOSED'],
  ['WAIT_PAY', 'PAID', 'PAID'],
  ['WAIT_PAY', 'CLOSED', 'CLOSED'],
  ['PAID', 'WRITEOFF_DONE', 'WRITTEN_OFF'],
  ['PAID', 'WRITEOFF_UNKNOWN', 'SUSPECT'],
  ['PAID', 'WRITEOFF_PARKED', 'PARKED'],
  ['SUSPECT', 'WRITEOFF_DONE', 'WRITTEN_OFF'],
  ['SUSPECT', 'WRITEOFF_PARKED', 'PARKED'],
  ['SUSPECT', 'WRITEOFF_RETRIED', 'PAID'],
  ['WRITTEN_OFF', 'REFUNDED_FULL', 'REFUNDED'],
  ['PARKED', 'WRITEOFF_DONE', 'WRITTEN_OFF'],
  ['PARKED', 'WRITEOFF_RETRIED', 'PAID'],
  ['PARKED', 'REFUNDED_FULL', 'REFUNDED'],
  ['CLOSED', 'PAID', 'PAID'],
  // money taken after all (a withholding answer lost, a create refused as the buyer paid): still written off
  ['FAILED', 'PAID', 'PAID'],
];

const key = (s: string, e: string): string => `${s} ${e}`;
const EDGE = new Map(EDGES.map(([s, e, to]) => [key(s, e), to]));

describe('payments order machine - every edge and every forbidden edge', () => {
  it('has exactly the contract edges in its table', () => {
    const table = ORDER_STATES.flatMap((s) => Object.entries(TRANSITIONS[s]).map(([e, to]) => `${s} -${e}-> ${to}`));
    expect(table).to.have.members(EDGES.map(([s, e, to]) => `${s} -${e}-> ${to}`));
    expect(table).to.have.length(EDGES.length);
  });

  for (const [from, event, to] of EDGES) {
    it(`moves ${from} --${event}--> ${to}${to === 'PAID' && !MONEY_TAKEN.has(from) ? ' and queues the write-off' : ''}`, () => {
      expect(transition(from, event)).to.deep.equal({ kind: 'move', from, to, event, writeOff: to === 'PAID' && !MONEY_TAKEN.has(from) });
    });
  }

  it('queues a write-off only when money is first taken, never on a retry of a taken order', () => {
    expect(transition('CREATED', 'PAID')).to.include({ writeOff: true });
    expect(transition('WAIT_PAY', 'PAID')).to.include({ writeOff: true });
    expect(transition('CLOSED', 'PAID')).to.include({ writeOff: true });
    expect(transition('FAILED', 'PAID')).to.include({ writeOff: true });
    expect(transition('SUSPECT', 'WRITEOFF_RETRIED')).to.include({ writeOff: false });
    expect(transition('PARKED', 'WRITEOFF_RETRIED')).to.include({ writeOff: false });
  });

  // every (state, event) pair that is neither an edge nor absorbed is refused
  for (const state of ORDER_STATES) {
    for (const event of ORDER_EVENTS) {
      if (EDGE.has(key(state, event))) continue;
      const absorbed = ABSORBED[state].includes(event);
      it(`${absorbed ? 'absorbs' : 'refuses'} ${event} in ${state}`, () => {
        const t = transition(state, event);
        expect(t).to.deep.equal({ kind: absorbed ? 'absorbed' : 'forbidden', state, event });
      });
    }
  }

  it('absorbs the late and repeated notifications Alipay sends', () => {
    // TRADE_FINISHED after TRADE_SUCCESS, a CLOSED after payment, repeats of either
    for (const s of ['PAID', 'SUSPECT', 'WRITTEN_OFF', 'PARKED', 'REFUNDED'] as const) {
      expect(transition(s, 'PAID').kind, `PAID in ${s}`).to.equal('absorbed');
      expect(transition(s, 'CLOSED').kind, `CLOSED in ${s}`).to.equal('absorbed');
    }
    expect(transition('CLOSED', 'CLOSED').kind).to.equal('absorbed');
  });

  it('never lets an order that holds money leave the money-taken states', () => {
    for (const s of MONEY_TAKEN) for (const to of Object.values(TRANSITIONS[s])) expect(MONEY_TAKEN.has(to!), `${s} -> ${to}`).to.equal(true);
  });

  it('keeps its final states still, and no event is both a move and absorbed', () => {
    for (const s of FINAL) expect(Object.keys(TRANSITIONS[s]), s).to.deep.equal([]);
    for (const s of ORDER_STATES) for (const e of ABSORBED[s]) expect(TRANSITIONS[s][e], `${s} ${e}`).to.equal(undefined);
  });

  it('reaches every state from CREATED', () => {
    const seen = new Set<OrderState>(['CREATED']);
    const queue: OrderState[] = ['CREATED'];
    while (queue.length) for (const to of Object.values(TRANSITIONS[queue.shift()!])) if (!seen.has(to!)) queue.push(seen.add(to!) && to!);
    expect([...seen]).to.have.members([...ORDER_STATES]);
  });

  it('knows its own states', () => {
    for (const s of ORDER_STATES) expect(isOrderState(s)).to.equal(true);
    for (const v of ['paid', 'DONE', '', null, 3, undefined]) expect(isOrderState(v)).to.equal(false);
  });
});
