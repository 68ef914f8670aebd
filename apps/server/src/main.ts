import { ConfigError, loadConfig } from '@tailor/config';
import pino from 'pino';
import { startTailor } from './start';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.LOG_LEVEL, redact: ['authorization', 'key'] });
  const running = await startTailor(config, { logger });
  if (running.url) {
    const shown = running.url.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
    console.log(`\nTailor is running (${config.mode} mode, role ${config.TAILOR_ROLE}) at ${shown}`);
    console.log(`  Dashboard:  ${shown}/dashboard/`);
    console.log(`  API docs:   ${shown}/docs`);
    if (running.bootstrapKey) {
      console.log(`  First account created. Its API key (shown once, store it now):\n\n      ${running.bootstrapKey}\n`);
      console.log(`  export TAILOR_API_KEY=${running.bootstrapKey}`);
    } else if (config.TAILOR_BOOTSTRAP_API_KEY) {
      console.log('  API key:    the one in TAILOR_BOOTSTRAP_API_KEY');
    } else {
      // A restart: the first account's key was shown once, at the first start. Say how to find the account too.
      console.log('  Accounts:        npm run tailor-admin -- accounts list');
      console.log('  A new API key:   npm run tailor-admin -- keys create --account <account id from the list>');
    }
  } else {
    console.log(`Tailor worker running (${config.mode} mode)`);
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, 'shutting down');
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((err) => {
  console.error('Tailor failed to start:', err instanceof Error ? err.message : err);
  // The most common first-run failure: say what to change, not only what happened.
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') console.error('  Another program listens on that port: start with PORT=<another port> npm start.');
  process.exit(1);
});
