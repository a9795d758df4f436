import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { ABSORBED, ORDER_STATES, OrderEvent, OrderState, TRANSITIONS } from '../../../core/payments/order-machine';

const DOC = path.resolve(__dirname, '../../../docs/payments.md');

/** The rows of the markdown table whose header row is `header`. */
function table(text: string, header: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === header);
  expect(start, `docs/payments.md has a table headed ${header}`).to.be.greaterThan(-1);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

describe('docs - the payment state machine in docs/payments.md is the one in the code', () => {
  const text = fs.readFileSync(DOC, 'utf8');

  it('lists every allowed move of core/payments/order-machine.ts, and no other', () => {
    const documented = table(text, '| from | event | to |').map(([from, event, to]) => `${from} -${event}-> ${to}`);
    const code = ORDER_STATES.flatMap((s) => Object.entries(TRANSITIONS[s]).map(([e, to]) => `${s} -${e}-> ${to}`));
    expect(documented).to.have.members(code);
    expect(documented).to.have.length(code.length);
  });

  it('lists the absorbed events of every state as the code does', () => {
    const rows = table(text, '| state | events absorbed (answered, nothing changes) |');
    const documented = Object.fromEntries(rows.map(([s, events]) => [s, events === '—' ? [] : events.split(', ')])) as Record<OrderState, OrderEvent[]>;
    expect(Object.keys(documented)).to.have.members([...ORDER_STATES]);
    for (const s of ORDER_STATES) expect(documented[s], s).to.have.members([...ABSORBED[s]]);
  });
});
