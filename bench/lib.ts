import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** Where the CPU went while the child's default export ran (see CpuSplit). */
  cpu: CpuSplit;
}

/**
 * CPU seconds spent while a child's measured work ran: by the child's main thread (the one
 * that runs the engine; null where /proc is not there to tell it apart), by the whole child
 * (its main thread plus V8's collector and compiler threads), and by this process meanwhile
 * (which serves the fake CRM API when the suite starts one). On a 2-core machine these three
 * share two cores: they tell what bounds a ratio.
 */
export interface CpuSplit {
  mainThread: number | null;
  process: number;
  parent: number;
}

/** CPU seconds of this process's main thread so far, from /proc; null off Linux. */
export function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces: utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The CpuSplit line printed beside a measurement. */
export function describeCpu(cpu: CpuSplit, parentRole = 'fake API'): string {
  const main = cpu.mainThread === null ? '' : `main thread ${cpu.mainThread.toFixed(2)} s, `;
  return `CPU: ${main}whole process ${cpu.process.toFixed(2)} s, ${parentRole} ${cpu.parent.toFixed(2)} s`;
}

/**
 * Runs `module`'s default export in a fresh Node process (with tsx), so that its peak RSS is
 * its own. The module's default export receives `args` and returns a JSON-serialisable value.
 */
export function runInChild<T>(module: string, args: unknown): Promise<ChildResult<T>> {
  const child = fileURLToPath(new URL('./child.ts', import.meta.url));
  const parentBefore = process.cpuUsage();
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
      const parent = process.cpuUsage(parentBefore);
      try {
        const printed = JSON.parse(line) as Omit<ChildResult<T>, 'cpu'> & {
          cpu: Omit<CpuSplit, 'parent'>;
        };
        resolve({
          ...printed,
          cpu: { ...printed.cpu, parent: (parent.user + parent.system) / 1e6 },
        });
      } catch (error) {
        reject(new Error(`bench child ${module} printed no result: ${String(error)}`));
      }
    });
  });
}

const MB = 1024 * 1024;

/**
 * How much more a child's peak RSS was at `big` than at `small` (records, rows: what the
 * figure counts), in MB, with both peaks as the figure's limits.
 */
export function peakRssGrowth(
  few: ChildResult<unknown>,
  many: ChildResult<unknown>,
  small: number,
  big: number,
): { growth: number; limits: BenchLimit[] } {
  const at = (count: number, bytes: number) => ({
    name: `peak RSS at ${count.toLocaleString('en-US')}`,
    value: bytes / MB,
    unit: 'MB',
  });
  return {
    growth: (many.maxRssBytes - few.maxRssBytes) / MB,
    limits: [at(small, few.maxRssBytes), at(big, many.maxRssBytes)],
  };
}

/** The median of `values` (the mean of the middle two when their number is even). */
export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
