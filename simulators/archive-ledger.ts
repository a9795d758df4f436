/** What a simulated marketing system did with one archive-update serial. */
export interface ArchiveUpdateRecord {
  serial: string;
  accountNo: string;
  /** Requests received with this serial (a resend counts again). */
  received: number;
  /** Times it was applied: 1 for a serial delivered exactly once, never more (a duplicate is refused). */
  applied: number;
}

/**
 * The archive updates a marketing simulator received, by serial: tests read
 * it to prove "exactly once". It can outlive one simulator instance (pass the
 * same ledger to a restarted simulator), as a real system's database would.
 */
export class ArchiveLedger {
  private readonly bySerial = new Map<string, ArchiveUpdateRecord>();

  /** Records one request; true when the serial is new (apply it), false when it is a duplicate. */
  receive(serial: string, accountNo: string): boolean {
    const seen = this.bySerial.get(serial);
    if (seen) {
      seen.received += 1;
      return false;
    }
    this.bySerial.set(serial, { serial, accountNo, received: 1, applied: 1 });
    return true;
  }

  get(serial: string): ArchiveUpdateRecord | undefined {
    const r = this.bySerial.get(serial);
    return r ? { ...r } : undefined;
  }

  all(): ArchiveUpdateRecord[] {
    return [...this.bySerial.values()].map((r) => ({ ...r }));
  }

  /** Requests received in all (duplicates included). */
  totalReceived(): number {
    let n = 0;
    for (const r of this.bySerial.values()) n += r.received;
    return n;
  }
}
