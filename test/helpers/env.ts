/** Integration specs fail (never skip) when the services they need are not up. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (scripts/services.sh up exports it)`);
  return value;
}

/**
 * A JWT key for buses that are not the embedded default (DATABASE_URL or
 * NATS_URL set): such a start without JWT_SECRET / JWT_KEYS is refused
 * (services/auth/jwt-keys.ts). Spread into loadConfig / a BusProcess env.
 */
export const TEST_JWT_ENV = { JWT_SECRET: 'integration-test-jwt-secret-0123456789-abcdef' } as const;
