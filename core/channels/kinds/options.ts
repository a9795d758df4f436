/** Drops keys whose value resolved to an empty text (`${KNOWN_HOSTS:-}` unset): the adapter's default applies. */
export function withoutEmpty(values: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== '' && v !== undefined && v !== null));
}
