import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import type TableType from 'cli-table3';
import pc from 'picocolors';
import type { SyncRun } from '@crmsync/core';

/** Where the CLI writes; tests swap these for buffers. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

// cli-table3 (and the string-width it pulls in) is required when a table is first drawn, not
// at start: `crmsync --help` draws none.
const require = createRequire(import.meta.url);
let Table: typeof TableType | undefined;
const cliTable = () => {
  Table ??= require('cli-table3') as typeof TableType;
  return Table;
};

export const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTTY: process.stderr.isTTY === true,
};

export function statusText(status: string, color: boolean): string {
  if (!color) return status;
  switch (status) {
    case 'success':
      return pc.green(status);
    case 'partial':
      return pc.yellow(status);
    case 'failed':
      return pc.red(status);
    default:
      return pc.cyan(status);
  }
}

export function table(head: string[], rows: Array<Array<string | number>>, color: boolean): string {
  const t = new (cliTable())({
    head,
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
  });
  t.push(...rows.map((r) => r.map(String)));
  // A rule under the header only, not between rows (cli-table3 draws one between every two):
  // a long list stays readable at a glance.
  let ruled = false;
  const lines = t
    .toString()
    .split('\n')
    .filter((line) => {
      if (!stripVTControlCharacters(line).startsWith('├')) return true;
      if (ruled) return false;
      ruled = true;
      return true;
    });
  return `${lines.join('\n')}\n`;
}

export function seconds(run: SyncRun): string {
  if (!run.endTime) return '';
  return `${((run.endTime.getTime() - run.startTime.getTime()) / 1000).toFixed(1)} s`;
}

export function runsTable(runs: SyncRun[], color: boolean): string {
  return table(
    [
      'run',
      'crm',
      'entity',
      'status',
      'mode',
      'started',
      'duration',
      'processed',
      'created',
      'updated',
      'unchanged',
      'failed',
    ],
    runs.map((r) => [
      r.id.slice(-8),
      r.crmSource,
      r.syncType,
      statusText(r.status, color) + (r.dryRun ? ' (dry run)' : ''),
      r.mode,
      r.startTime.toISOString().replace('T', ' ').slice(0, 19),
      seconds(r),
      r.counts.processed,
      r.counts.created,
      r.counts.updated,
      r.counts.unchanged,
      r.counts.failed,
    ]),
    color,
  );
}

export function runJson(run: SyncRun) {
  return {
    id: run.id,
    crm: run.crmSource,
    entity: run.syncType,
    status: run.status,
    mode: run.mode,
    trigger: run.trigger,
    dryRun: run.dryRun,
    startTime: run.startTime.toISOString(),
    endTime: run.endTime?.toISOString() ?? null,
    counts: run.counts,
    errorKind: run.errorKind,
    errorMessage: run.errorMessage,
    resumedFromRunId: run.resumedFromRunId,
    performanceMetrics: run.performanceMetrics,
  };
}
