/**
 * What a test reads and steers of the plates' side of a marketing simulator
 * (both dialects): the tickets and their status, the e-bill subscriptions.
 * Over HTTP too: POST /sim/tickets/advance?serial=… moves a ticket one step
 * (ACCEPTED → IN_PROGRESS → CLOSED) as service staff would; GET /sim/tickets
 * lists them.
 */
import { EBillBook } from './ebill-book';
import { Ticket, TicketBook } from './ticket-book';

export interface PlateControls {
  tickets: TicketBook;
  ebills: EBillBook;
  /** Moves the ticket of this serial one step on; throws when there is none. */
  advanceTicket(serial: string): Ticket;
}

export function plateControls(tickets: TicketBook, ebills: EBillBook) {
  const advanceTicket = (serial: string) => tickets.advance(serial);
  const asJson = (t: Ticket) => ({ ...t, updatedAt: t.updatedAt.toISOString() });
  const routes: Record<string, (q: URLSearchParams) => unknown> = {
    'GET /sim/tickets': () => tickets.all().map(asJson),
    'POST /sim/tickets/advance': (q) => {
      const serial = q.get('serial');
      if (!serial) throw new Error('serial is required');
      return asJson(advanceTicket(serial));
    },
  };
  const controls: PlateControls = { tickets, ebills, advanceTicket };
  return { controls, routes };
}
