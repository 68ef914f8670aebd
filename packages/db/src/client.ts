import { PrismaClient } from '@prisma/client';
import { TailorPrismaPg, poolConfig } from './pg-adapter';

export type Db = PrismaClient;

export function createDb(databaseUrl: string, opts: { poolSize?: number } = {}): Db {
  return new PrismaClient({ adapter: new TailorPrismaPg(poolConfig(databaseUrl, { max: opts.poolSize ?? 10 })) });
}
