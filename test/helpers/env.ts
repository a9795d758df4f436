/** Integration specs fail (never skip) when the services they need are not up. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (scripts/services.sh up exports it)`);
  return value;
}
