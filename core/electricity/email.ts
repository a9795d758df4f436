/**
 * The e-mail address a user gives for e-bills: personal data, checked here,
 * encrypted at rest by the caller, and only ever shown masked.
 */
const EMAIL = /^[^\s@<>(),;:"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The shipped subscribeEBill mappings take at most 128 characters: longer would be refused at delivery, a dead letter. */
export const MAX_EMAIL_LENGTH = 128;

export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/** zhangsan@example.com -> z***@example.com: the first character of the mailbox, the domain kept so the user recognises it. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(Math.min(value.length, 8));
  return `${Array.from(value.slice(0, at))[0]}***${value.slice(at)}`;
}
