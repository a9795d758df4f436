/**
 * The tickets (工单) a simulated marketing system opened for reports and
 * feedback, by the caller's serial: created once, a repeat gets the same
 * ticket back. Their status moves only when a test says so (advance(), or
 * POST /sim/tickets/advance?serial=…), as service staff would move it. Shared
 * by both dialects; per simulator instance, and it can outlive one like the
 * payment ledger.
 */
export type TicketKind = 'ILLEGAL_USE' | 'FEEDBACK' | 'COMPLAINT';
export type TicketStatus = 'ACCEPTED' | 'IN_PROGRESS' | 'CLOSED';

export interface TicketRequest {
  kind: TicketKind;
  consNo: string | null;
  content: string;
  contactTel: string | null;
  photoCount: number;
  location: { lat: number; lng: number } | null;
}

export interface Ticket extends TicketRequest {
  serial: string;
  ticketNo: string;
  status: TicketStatus;
  reply: string | null;
  /** Requests received with this serial (a repeat counts again). */
  received: number;
  /** When the status last changed. */
  updatedAt: Date;
}

/** What staff answer once a ticket is closed. */
export const CLOSING_REPLY = '您反映的问题已核实处理，感谢您的支持。';
const NEXT: Readonly<Record<TicketStatus, TicketStatus>> = { ACCEPTED: 'IN_PROGRESS', IN_PROGRESS: 'CLOSED', CLOSED: 'CLOSED' };

export class TicketBook {
  private readonly bySerial = new Map<string, Ticket>();
  private sequence = 0;

  /** Opens a ticket for a new serial; a serial seen before gets its ticket back, unchanged. */
  open(serial: string, request: TicketRequest, now = new Date()): { created: boolean; ticket: Ticket } {
    const seen = this.bySerial.get(serial);
    if (seen) {
      seen.received += 1;
      return { created: false, ticket: seen };
    }
    this.sequence += 1;
    const ticket: Ticket = { ...request, serial, ticketNo: `GD${String(this.sequence).padStart(8, '0')}`, status: 'ACCEPTED', reply: null, received: 1, updatedAt: now };
    this.bySerial.set(serial, ticket);
    return { created: true, ticket };
  }

  find(serial: string): Ticket | undefined {
    return this.bySerial.get(serial);
  }

  /** ACCEPTED → IN_PROGRESS → CLOSED (with the staff's reply); a closed ticket stays closed. */
  advance(serial: string, now = new Date()): Ticket {
    const ticket = this.bySerial.get(serial);
    if (!ticket) throw new Error(`no ticket with serial ${serial}`);
    if (ticket.status === 'CLOSED') return ticket;
    ticket.status = NEXT[ticket.status];
    if (ticket.status === 'CLOSED') ticket.reply = CLOSING_REPLY;
    ticket.updatedAt = now;
    return ticket;
  }

  all(): Ticket[] {
    return [...this.bySerial.values()];
  }
}
