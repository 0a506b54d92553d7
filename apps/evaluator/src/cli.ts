#!/usr/bin/env node
import { processIo } from './io';
/**
 * The `r1-eval` executable: runs main() on the process's arguments and exits with its code. Exiting explicitly
 * matters: a wasm tfjs backend keeps worker threads alive that would otherwise hold the process open.
 */
import { main } from './main';

main(process.argv.slice(2), processIo()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`r1-eval: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
