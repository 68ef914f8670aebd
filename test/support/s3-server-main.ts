/**
 * Long-running S3 server for CI and local runs: `tsx test/support/s3-server-main.ts`.
 * Env: S3_PORT (default 4569), S3_HOST (127.0.0.1), S3_DIR (data dir; a temp dir removed on exit when unset),
 * S3_BUCKET (tailor). Prints `ready` on stdout once it accepts requests; stops on SIGTERM/SIGINT.
 */
import { startS3Server } from './s3-server';

async function main(): Promise<void> {
  const port = Number(process.env.S3_PORT ?? 4569);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`S3_PORT must be a port number, got ${process.env.S3_PORT}`);
  const server = await startS3Server({
    port,
    host: process.env.S3_HOST ?? '127.0.0.1',
    directory: process.env.S3_DIR || undefined,
    bucket: process.env.S3_BUCKET ?? 'tailor',
    silent: process.env.S3_VERBOSE !== '1',
  });
  process.stderr.write(
    `s3rver at ${server.endpoint} bucket=${server.bucket} dir=${server.directory} ` +
      `accessKeyId=${server.accessKeyId} secretAccessKey=${server.secretAccessKey} region=${server.region}\n`,
  );
  process.stdout.write('ready\n');
  const shutdown = (signal: string) => {
    process.stderr.write(`s3rver: ${signal}, stopping\n`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`s3rver: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`s3rver failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
