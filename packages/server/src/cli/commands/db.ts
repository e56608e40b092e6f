import type { Command } from 'commander';
import { openStore, redact, resolveDatabaseUrl } from '../../store/index.js';
import { globalOptions, type CliContext } from '../context.js';

export function registerDb(program: Command, ctx: CliContext) {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations to the database (SQLite or PostgreSQL)')
    .action(async (_opts: unknown, command: Command) => {
      const g = globalOptions(command);
      const cwd = g.cwd ?? process.cwd();
      const url = g.database ?? resolveDatabaseUrl(ctx.env, cwd);
      const store = await openStore({ databaseUrl: url, cwd, migrate: false });
      try {
        const applied = await store.migrate();
        ctx.io.out(
          applied.length
            ? `applied ${applied.join(', ')} to ${redact(url)}\n`
            : `${redact(url)} is up to date\n`,
        );
      } finally {
        await store.close();
      }
    });
}
