export { GENIUS_DDL } from './schema.js';
export {
  DEFAULT_ADMIN_URL,
  GeniusTestDatabase,
  type GeniusTestDatabaseOptions,
  mariadbUnreachable,
} from './database.js';
export { MysqlProxy } from './proxy.js';
export { startGeniusKitFixture } from './kit-fixture.js';
