import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { TailorPrismaPg, poolConfig } from './packages/db/src/pg-adapter';

// Prisma's Rust schema engine downloads its binary at first use, which fails offline; the JS schema engine over
// the pg driver adapter works everywhere. allowExitOnIdle + a short idle timeout let the CLI exit promptly.
export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for Prisma CLI commands');
    return new TailorPrismaPg(poolConfig(url, { allowExitOnIdle: true, idleTimeoutMillis: 200 }));
  },
});
