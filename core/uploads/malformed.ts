/** A photo whose structure does not hold together (truncated, a length past the end): refused, never stored. */
export class MalformedImageError extends Error {
  constructor(readonly kind: string, reason: string) {
    super(`${kind}: ${reason}`);
    this.name = 'MalformedImageError';
  }
}
