import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes `content()` to `file` (mode 0600, its own directory 0700) unless the
 * file exists, exclusively: written to a temporary file, then linked, so two
 * processes starting together end up with one file and each reads it.
 * True when this call created it. For generated development keys under VAR_DIR.
 */
export function createSecretFileOnce(file: string, content: () => string): boolean {
  if (fs.existsSync(file)) return false;
  // only the key's own directory is private: VAR_DIR itself keeps the usual mode, so that the embedded
  // PostgreSQL (run as another OS user when started by root) can still reach VAR_DIR/pg
  const dir = path.dirname(file);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content(), { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
