/**
 * How many points each event earns. Fixed here rather than configured: the
 * rules are part of the programme users are told about (docs/power-services.md).
 */
export const EARN_RULES = {
  /** A payment written off in the marketing system: one point per full yuan, at least one. */
  paymentWrittenOff: (amountFen: number) => Math.max(1, Math.floor(amountFen / 100)),
  /** Switching an account to e-bills (once per user and account). */
  ebillSubscribed: 50,
  /** A report the marketing system accepted as a ticket (once per report). */
  reportAccepted: 20,
} as const;
