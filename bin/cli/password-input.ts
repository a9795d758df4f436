import { CliError, UsageError } from './cli-error';

/** The first line of standard input (`--password-stdin`, as `docker login` reads it). */
export async function readFirstLineOfStdin(what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (!line) throw new UsageError(`no ${what} on standard input`);
  return line;
}

/** Asks on the terminal without showing what is typed (the terminal in raw mode, nothing echoed). */
export function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && !value)) return finish(new CliError('cancelled', 130)); // Ctrl-C, Ctrl-D
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    process.stderr.write(prompt);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/** The password: from stdin when asked to, else GRIDBUS_PASSWORD, else a prompt when stdin is a terminal. */
export async function operatorPassword(user: string, fromStdin: boolean, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (fromStdin) return readFirstLineOfStdin('password');
  if (env.GRIDBUS_PASSWORD) return env.GRIDBUS_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError('no password: standard input is not a terminal; use --password-stdin or GRIDBUS_PASSWORD');
  const password = await promptHidden(`password for ${user}: `);
  if (!password) throw new UsageError('no password given');
  return password;
}
