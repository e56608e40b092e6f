import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A limit measured in the same run, printed beside the figure it bounds. */
export interface BenchLimit {
  name: string;
  value: number;
  unit: string;
}

export interface BenchFigure {
  /** Which suite it belongs to: `core`, `store`, `hubspot`, … */
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Limits measured side by side in the same run. */
  limits?: BenchLimit[];
  /** The figure as a ratio of its limit(s), e.g. 0.92 of the slower limit. */
  ratio?: number;
  /** The goal in words, e.g. `>= 0.8 of the slower limit`. */
  goal?: string;
  /** Whether the goal was met, when there is one. */
  met?: boolean;
}

export interface BenchContext {
  /** Records the figure; printed in the final table and written to bench/results/latest.json. */
  report(figure: BenchFigure): void;
  /** `BENCH_QUICK=1` shrinks sizes for a smoke run. */
  quick: boolean;
  log(message: string): void;
}

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface ChildResult<T> {
  result: T;
  /** Peak resident set size of the child, in bytes. */
  maxRssBytes: number;
}

/**
 * Runs `module`'s default export in a fresh Node process (with tsx), so that its peak RSS is
 * its own. The module's default export receives `args` and returns a JSON-serialisable value.
 */
export function runInChild<T>(module: string, args: unknown): Promise<ChildResult<T>> {
  const child = fileURLToPath(new URL('./child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, module, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench child ${module} exited with ${code}`));
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ChildResult<T>);
      } catch (error) {
        reject(new Error(`bench child ${module} printed no result: ${String(error)}`));
      }
    });
  });
}
