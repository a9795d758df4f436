/**
 * How long an operator log-in check takes for a known name with a wrong
 * password, an unknown name and a disabled account (issue 8 item 9: the time
 * must not tell which names exist). Prints medians; asserts nothing (timing
 * on a shared machine is no test). Run: source var/services/env.sh &&
 * npx ts-node --transpile-only bench/login-timing.ts
 */
import 'reflect-metadata';
import { openDatabase } from '../core/db';
import { OperatorAccounts } from '../services/auth/operator-accounts';
import { createFreshDatabase } from '../test/helpers/db';

const ROUNDS = Number(process.env.ROUNDS ?? 20);

async function median(check: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await check();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const db = await createFreshDatabase();
  const { dataSource } = await openDatabase(db.url);
  try {
    const accounts = new OperatorAccounts(dataSource);
    await accounts.create('known.ops', 'known-operator-password-1', ['operator']);
    await accounts.create('disabled.ops', 'disabled-operator-password-1', ['operator']);
    await accounts.update('disabled.ops', { enabled: false });
    await accounts.authenticate('nobody', 'warm-up'); // the decoy hash is made once
    const rows = [
      ['known name, wrong password', await median(() => accounts.authenticate('known.ops', 'wrong-password'))],
      ['unknown name', await median(() => accounts.authenticate('nobody.here', 'wrong-password'))],
      ['disabled account, right password', await median(() => accounts.authenticate('disabled.ops', 'disabled-operator-password-1'))],
      ['known name, right password', await median(() => accounts.authenticate('known.ops', 'known-operator-password-1'))],
    ] as const;
    for (const [what, ms] of rows) process.stdout.write(`${what.padEnd(36)} median ${ms.toFixed(1)} ms over ${ROUNDS}\n`);
  } finally {
    await dataSource.destroy();
    await db.drop();
  }
}

void main();
