export { createDb } from './client';
export type { Db } from './client';
export { applyMigrations, migrateDatabase, ensureDatabase, MIGRATIONS_DIR } from './migrate';
export { startEmbeddedPostgres } from './embedded-postgres';
export type { EmbeddedPostgresHandle } from './embedded-postgres';
export { Prisma } from '@prisma/client';
export type * from '@prisma/client';
