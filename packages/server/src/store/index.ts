export {
  type DatabaseProvider,
  type DatabaseTarget,
  parseDatabaseUrl,
  redact,
  resolveDatabaseUrl,
} from './database-url.js';
export { countLiveRecords } from './live-count.js';
export { loadMigrations, type Migration, migrationsFolder } from './migrations.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export {
  type CrmRecord,
  createPrismaClient,
  Prisma,
  type PrismaClient,
  SQLITE_TIMESTAMP_FORMAT,
  type SyncEventRow,
  type SyncHistory,
  type SyncSchedule,
} from './prisma-client.js';
export { PrismaStore } from './prisma-store.js';
