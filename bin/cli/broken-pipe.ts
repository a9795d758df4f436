/**
 * A reader that goes away (`gridbus mappings releases | head -1`) makes the next write fail with
 * EPIPE, which Node raises as an uncaught error with a stack trace. A short-lived command ends
 * quietly instead (exit 0: nobody reads the rest); a running bus keeps running without that output.
 */
export function quietOnBrokenPipe(mode: 'exit' | 'keep-running'): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (mode === 'exit') process.exit(0);
    });
  }
}
