import cliProgress from 'cli-progress';
import type { RunEvent, SyncHook } from '@crmsync/core';
import type { CliIO } from './output.js';

/**
 * A sync hook that shows each run's progress: a live bar on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes). `stop()` clears the bar if the sync ends by throwing.
 *
 * @example
 * const bar = useProgressBar(io);
 * try { await app.syncs.run(request, { trigger: 'cli', hooks: [bar] }); } finally { bar.stop(); }
 */
export function useProgressBar(io: CliIO): SyncHook & { stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  let lastLine = 0;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  const listener = (event: RunEvent) => {
    if (event.type === 'run-started') {
      // On a terminal the bar appears with the first page (an empty 0/0 bar reads as done).
      if (!io.isTTY)
        io.err(`${event.run.crmSource} ${event.run.syncType}: started (${event.run.mode})\n`);
    } else if (event.type === 'run-progress') {
      const total = event.estimatedTotal ?? event.counts.processed;
      if (io.isTTY && !bar) {
        bar = new cliProgress.SingleBar(
          {
            format: `${event.crmSource} ${event.syncType} [{bar}] {value}/{total} records | {rate}/s | {pages} pages`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, event.counts.processed), 0, { rate: 0, pages: 0 });
      }
      if (bar) {
        bar.setTotal(Math.max(total, event.counts.processed));
        bar.update(event.counts.processed, {
          rate: Math.round(event.recordsPerSecond),
          pages: event.pages,
        });
      } else if (Date.now() - lastLine > 2_000) {
        lastLine = Date.now();
        io.err(
          `${event.crmSource} ${event.syncType}: ${event.counts.processed.toLocaleString('en-US')}${event.estimatedTotal ? ` of ${event.estimatedTotal.toLocaleString('en-US')}` : ''} records (${Math.round(event.recordsPerSecond)}/s)\n`,
        );
      }
    } else if (event.type === 'run-finished') {
      if (bar) {
        bar.setTotal(event.run.counts.processed);
        bar.update(event.run.counts.processed);
        stopBar();
      }
      io.err(
        `${event.run.crmSource} ${event.run.syncType}: ${event.run.status}, ${event.run.counts.processed.toLocaleString('en-US')} records${event.run.errorMessage ? ` — ${event.run.errorMessage}` : ''}\n`,
      );
    }
  };
  return { onRunEvent: listener, onSyncDone: stopBar, stop: stopBar };
}
