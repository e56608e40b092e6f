import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliProcess {
  code: Promise<number | null>;
  out(): string;
  err(): string;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `node --import tsx packages/server/src/cli/main.ts <args>`: the real binary, as a process, with
 * only PATH, HOME and `env` in its environment.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    code: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    out: () => out,
    err: () => err,
    kill: (signal) => child.kill(signal),
  };
}
