export { GENIUS_DDL } from './schema.js';
export {
  DEFAULT_ADMIN_URL,
  GeniusTestDatabase,
  type GeniusTestDatabaseOptions,
  mariadbUnreachable,
} from './database.js';
