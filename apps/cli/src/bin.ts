#!/usr/bin/env node
import { main } from './main.js';

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => {
      resolve();
    });
  });
}

// A closed stdout (`framewire decode | head -1`) means the reader has all it wants. Any other
// failure to write it (a full disk: ENOSPC) is one line and exit 1, as every runtime error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`framewire: cannot write to stdout: ${error.message}\n`);
  process.exit(1);
});

// Logs to a closed stderr are lost, not fatal: a server piped into `head` keeps serving.
process.stderr.on('error', () => undefined);

const code = await main(process.argv);
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
