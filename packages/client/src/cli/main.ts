#!/usr/bin/env tsx
import { runCli } from './run-cli';

// Let pending writes (a piped stdout) drain instead of process.exit() cutting them off.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
