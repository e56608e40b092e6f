import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerDb } from './commands/db.js';
import { registerHistory } from './commands/history.js';
import { registerHooks } from './commands/hooks.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServer } from './commands/server.js';
import { registerStart } from './commands/start.js';
import { registerSync } from './commands/sync.js';
import { registerWorker } from './commands/worker.js';
import { registerWrites } from './commands/writes.js';
import { type CliContext, describeError, openCrmsync } from './context.js';
import { EXIT } from './exit-codes.js';
import { type CliIO, processIO } from './output.js';
import { REMOVED_FLAGS, removedFlagMessage } from '@crmsync/core/sync-flags';

/** Each command module registers itself here: one line per module. */
const COMMANDS = [
  registerSync,
  registerList,
  registerHistory,
  registerDb,
  registerServer,
  registerStart,
  registerWorker,
  registerSchedule,
  registerNew,
  registerWrites,
  registerHooks,
];

/** This package's version (src/cli and dist/cli both sit two levels below package.json). */
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

export interface BuildProgramOptions {
  io?: CliIO;
  env?: Record<string, string | undefined>;
}

export interface CliProgram {
  program: Command;
  /** Runs argv (without node and script) and resolves with the exit code. */
  run(argv: string[]): Promise<number>;
}

export function buildProgram(options: BuildProgramOptions = {}): CliProgram {
  const io = options.io ?? processIO;
  const env = options.env ?? process.env;
  let exitCode: number = EXIT.success;
  const ctx: CliContext = {
    io,
    env,
    open: (command, openOptions) => openCrmsync(command, env, io, openOptions),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command('crmsync')
    .description('keep a database in step with your CRMs')
    .version(VERSION, '-V, --version')
    .option(
      '--database <url>',
      'database URL (DATABASE_URL; default SQLite at ./.crmsync/crmsync.db)',
    )
    .option('--config <path>', 'config file (default crmsync.config.{ts,mjs,js,json})')
    .option('--cwd <dir>', 'project directory')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 failed, 2 bad usage, 3 partial (some records failed; a conflict or a rejected change).\n',
    )
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(run crmsync --help for usage)');
  for (const register of COMMANDS) register(program, ctx);
  for (const command of program.commands)
    command
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  return {
    program,
    async run(argv) {
      exitCode = EXIT.success;
      // Before commander, which would call a removed flag merely unknown.
      for (const arg of argv) {
        const name = arg.startsWith('--') ? (arg.slice(2).split('=')[0] as string) : '';
        if (REMOVED_FLAGS[name]) {
          io.err(`error: ${removedFlagMessage(name)}\n`);
          return EXIT.usage;
        }
      }
      try {
        await program.parseAsync(argv, { from: 'user' });
        return exitCode;
      } catch (error) {
        if (error instanceof CommanderError) {
          return error.code === 'commander.helpDisplayed' ||
            error.code === 'commander.version' ||
            error.code === 'commander.help'
            ? EXIT.success
            : EXIT.usage;
        }
        const { code, message } = describeError(error);
        io.err(`error: ${message}\n`);
        return code;
      }
    },
  };
}
