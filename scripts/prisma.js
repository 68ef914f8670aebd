#!/usr/bin/env node
// Runs the Prisma CLI offline-safely: no telemetry call, and a placeholder DATABASE_URL for commands such as
// `generate` that parse the schema's env("DATABASE_URL") but never connect.
const { spawnSync } = require('node:child_process');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.DATABASE_URL ??= 'postgresql://placeholder@127.0.0.1:5432/placeholder';
const cli = require.resolve('prisma/build/index.js');
const res = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(res.status ?? 1);
