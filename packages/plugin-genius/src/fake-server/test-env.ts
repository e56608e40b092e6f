import type { Logger } from '@crmsync/core';
import { mariadbUnreachable } from './database.js';

/** A logger that keeps what it was told, for assertions. */
export function memoryLogger(lines: string[] = []): Logger {
  const log = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

/**
 * Tests need a real MariaDB (127.0.0.1:3306, root). Without one they are skipped with the
 * reason, except under CI=true where the missing database must fail the run.
 */
export const skipReason: string | null = await (async () => {
  const reason = await mariadbUnreachable();
  if (reason === null) return null;
  if (process.env.CI === 'true') return null;
  console.warn(`[plugin-genius] skipping database tests: ${reason} (set CI=true to fail instead)`);
  return reason;
})();
