#!/usr/bin/env node
// Entry point of the `sigwall` command: the compiled TypeScript CLI (npm run build:ts).
import { run } from '../dist/cli/main.js';

// `sigwall replay big.pcap | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await run(process.argv.slice(2));
