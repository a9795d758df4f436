import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A copy of a whole mapping set (code tables included) whose operation `operation` waits `ms` for its answer; the rest as shipped. */
export function mappingsWithTimeout(dir: string, operation: string, ms: number): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-mappings-'));
  fs.cpSync(dir, copy, { recursive: true });
  const file = path.join(copy, 'operations', `${operation}.yaml`);
  const original = fs.readFileSync(file, 'utf8');
  const changed = original.replace(/timeoutMs: \d+/, `timeoutMs: ${ms}`);
  expect(changed, `the copy changes the timeout of ${operation}`).to.not.equal(original);
  fs.writeFileSync(file, changed);
  return copy;
}
