import { hostname } from 'node:os';
import type { Command } from 'commander';
import { globalOptions, type CliContext } from '../context.js';

export function registerDb(program: Command, ctx: CliContext) {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations to the database (SQLite or PostgreSQL)')
    .action(async (_opts: unknown, command: Command) => {
      const [
        { createLogger, SyncEngine },
        { databaseUrlFor },
        { loadConfigFile },
        { openStore, redact },
      ] = await Promise.all([
        import('@crmsync/core'),
        import('../../app.js'),
        import('../../config/config-file.js'),
        import('../../store/index.js'),
      ]);
      const g = globalOptions(command);
      const cwd = g.cwd ?? process.cwd();
      const url = databaseUrlFor({
        database: g.database,
        env: ctx.env,
        config: await loadConfigFile(cwd, g.config),
        cwd,
      });
      const store = await openStore({ databaseUrl: url, cwd, migrate: false });
      try {
        const applied = await store.migrate();
        ctx.io.out(
          applied.length
            ? `applied ${applied.join(', ')} to ${redact(url)}\n`
            : `${redact(url)} is up to date\n`,
        );
        // Like every command that opens the store: finish runs a dead process left running.
        const engine = new SyncEngine({
          store,
          logger: createLogger('crmsync', { level: 'warn' }),
          workerId: `${hostname()}:${process.pid}`,
        });
        for (const run of await engine.reapStaleRuns())
          ctx.io.err(
            `finished interrupted run ${run.id} (${run.crmSource} ${run.syncType}) as failed\n`,
          );
      } finally {
        await store.close();
      }
    });
}
