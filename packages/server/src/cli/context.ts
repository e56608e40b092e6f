import { CrmsyncError, InputError } from '@crmsync/core/errors';
import type { Command } from 'commander';
import type { Crmsync } from '../app.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './output.js';

export interface GlobalOptions {
  database?: string;
  config?: string;
  cwd?: string;
}

export interface OpenOptions {
  /** The one CRM the command works on: only its plugin is loaded (see `discoverPlugins`). */
  plugin?: string;
  /** The command reads and writes only through the store's driver SQL: leave Prisma unloaded. */
  withoutPrisma?: boolean;
}

/** What every command gets: where to write, and how to open crmsync with the global options. */
export interface CliContext {
  io: CliIO;
  env: Record<string, string | undefined>;
  /** Opens crmsync (and finishes runs left `running` by a process that died). */
  open(command: Command, options?: OpenOptions): Promise<Crmsync>;
  setExitCode(code: number): void;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export async function openCrmsync(
  command: Command,
  env: Record<string, string | undefined>,
  io: CliIO,
  options: OpenOptions = {},
): Promise<Crmsync> {
  const g = globalOptions(command);
  const debug = (command.opts() as { debug?: boolean }).debug === true;
  // Loaded by the commands that open crmsync, not by `--help` or `new`.
  const { createCrmsync } = await import('../app.js');
  const app = await createCrmsync({
    env,
    // Logs go where the command writes its errors (stderr, or a test's buffer); createCrmsync
    // redacts every configured credential before anything is written.
    log: {
      level: debug ? 'debug' : 'warn',
      sink: (l) =>
        io.err(
          // on a terminal, over the progress bar's line (the bar redraws below it)
          `${io.isTTY ? '\r\x1b[K' : ''}${l.level} ${l.namespace}: ${l.message}${l.details ? ` ${JSON.stringify(l.details)}` : ''}\n`,
        ),
    },
    ...(g.cwd && { cwd: g.cwd }),
    ...(g.database && { database: g.database }),
    ...(g.config && { config: g.config }),
    ...(options.plugin && { onlyPlugin: options.plugin }),
    ...(options.withoutPrisma && { prisma: false }),
  });
  for (const problem of app.problems) io.err(`warning: ${problem.message}\n`);
  const reaped = await app.engine.reapStaleRuns();
  for (const run of reaped)
    io.err(`finished interrupted run ${run.id} (${run.crmSource} ${run.syncType}) as failed\n`);
  return app;
}

/** Exit code and message for an error that escaped a command. */
export function describeError(error: unknown): { code: number; message: string } {
  if (error instanceof InputError) return { code: EXIT.usage, message: error.message };
  if (error instanceof CrmsyncError && error.kind === 'config')
    return { code: EXIT.usage, message: error.message };
  if (error instanceof CrmsyncError) return { code: EXIT.failed, message: error.message };
  return { code: EXIT.failed, message: error instanceof Error ? error.message : String(error) };
}
