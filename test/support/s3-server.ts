import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// s3rver ships no types; only its constructor, configureBuckets() and the Koa request handler are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => {
  configureBuckets(): Promise<unknown>;
  callback(): http.RequestListener;
  logger: { close(): void };
};

/** s3rver accepts exactly this key pair (its built-in dummy account) and checks request signatures against it. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  port: number;
  directory: string;
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Data directory; a fresh temp directory (removed on stop) when omitted. */
  directory?: string;
  bucket?: string;
  silent?: boolean;
}

/**
 * Starts a real S3-compatible server (s3rver) in this process. The HTTP server is created here rather than by
 * s3rver.run() because s3rver's own listen() never settles when the port is taken; this one rejects, so a test
 * fails loudly instead of hanging.
 */
export async function startS3Server(opts: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const host = opts.host ?? '127.0.0.1';
  const bucket = opts.bucket ?? 'tailor-test';
  const ownsDirectory = opts.directory === undefined;
  const directory = opts.directory ?? (await mkdtemp(path.join(os.tmpdir(), 'tailor-s3rver-')));
  const app = new S3rver({
    directory,
    silent: opts.silent ?? true,
    configureBuckets: [{ name: bucket }],
    // Path-style only: virtual-host buckets would need DNS for <bucket>.127.0.0.1.
    vhostBuckets: false,
  });
  const server = http.createServer(app.callback());
  try {
    await app.configureBuckets();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    app.logger.close();
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    endpoint: `http://${host}:${port}`,
    bucket,
    accessKeyId: S3RVER_ACCESS_KEY_ID,
    secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
    region: 'us-east-1',
    port,
    directory,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      app.logger.close();
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
