import { createRequire } from 'node:module';
import type { Conflict, PushProgress, PushResult } from '@crmsync/core';
import { InputError } from '@crmsync/core/errors';
import type cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { RecordFilter } from '../../records/records-query.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../output.js';

/** `Field=value` arguments as a map; anything else is bad usage naming the argument. */
export function parseAssignments(args: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new InputError(what, 'Field=value (the CRM field name, =, the value)', arg);
    out[arg.slice(0, at)] = arg.slice(at + 1);
  }
  return out;
}

/** 0 written, 3 a conflict or a rejected change, 1 a push that failed. */
export function exitCodeForPushes(results: readonly PushResult[]): number {
  if (results.some((r) => r.status === 'failed')) return EXIT.failed;
  if (results.some((r) => r.conflicts > 0 || r.rejected > 0)) return EXIT.partial;
  return EXIT.success;
}

function summary(r: PushResult & { entity?: string }): string {
  return `${r.written} written, ${r.unchanged} already at the CRM, ${r.conflicts} conflicts, ${r.rejected} rejected (run ${r.runId})\n`;
}

/** A live bar on a terminal, a line every few seconds otherwise. */
export function pushProgress(io: CliIO): { onProgress(p: PushProgress): void; stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  let last = 0;
  return {
    onProgress(p) {
      if (io.isTTY) {
        if (!bar) {
          // Required with the first bar, not on import: `crmsync --help` does not load it.
          const bars = createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
          bar = new bars.SingleBar(
            {
              format: `${p.crmSource} ${p.entity} push [{bar}] {value}/{total} changes`,
              stream: process.stderr,
              hideCursor: true,
            },
            bars.Presets.shades_classic,
          );
          bar.start(p.total, 0);
        }
        bar.update(p.processed);
      } else if (Date.now() - last > 2_000 || p.processed === p.total) {
        last = Date.now();
        io.err(`${p.crmSource} ${p.entity}: ${p.processed} of ${p.total} changes pushed\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** The conflicts as `crmsync conflicts --json` prints them. */
export function conflictJson(c: Conflict) {
  return {
    id: c.id,
    crm: c.crmSource,
    entity: c.entity,
    recordId: c.recordId,
    fields: c.fields.map((f) => ({
      field: f.field,
      base: f.base,
      local: f.local,
      remote: f.remote,
    })),
    localModifiedAt: c.localModifiedAt.toISOString(),
    remoteModifiedAt: c.remoteModifiedAt?.toISOString() ?? null,
  };
}

const show = (v: unknown) =>
  v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);

function withSignal<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted by the user (Ctrl+C)'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return run(controller.signal).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}

export function registerWrites(program: Command, ctx: CliContext) {
  program
    .command('update')
    .description('change fields of a synced record and push the change (three-way merge per field)')
    .argument('<crm>', 'the CRM plugin, e.g. hubspot')
    .argument('<entity>', 'a writable entity of that CRM')
    .argument('<id>', "the record's id at the CRM")
    .argument('<assignments...>', 'Field=value, with the CRM field names (Stage=Won Amount=1200)')
    .option('--no-push', 'only record the change; `crmsync push` sends it later')
    .option('--json', 'print the change (and push) as JSON')
    .action(
      async (
        crm: string,
        entity: string,
        id: string,
        assignments: string[],
        opts: { push: boolean; json?: boolean },
        command: Command,
      ) => {
        const values = parseAssignments(assignments, 'Field=value');
        const app = await ctx.open(command);
        const bar = pushProgress(ctx.io);
        try {
          const result = await withSignal((signal) =>
            app.writes.update(
              { crm, entity, id, values, author: 'cli', push: opts.push },
              { trigger: 'cli', signal },
            ),
          );
          bar.stop();
          if (opts.json) ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
          else if (!result.push)
            ctx.io.out(
              `recorded change ${result.change.id} (pending): run crmsync push ${crm} ${entity}\n`,
            );
          else {
            const state = result.change.state;
            ctx.io.out(
              `${crm} ${entity} ${id}: ${state}${result.change.reason ? ` — ${result.change.reason}` : ''}\n`,
            );
            if (state === 'conflict') ctx.io.out(`see crmsync conflicts --crm ${crm}\n`);
          }
          ctx.setExitCode(result.push ? exitCodeForPushes([result.push]) : EXIT.success);
        } finally {
          bar.stop();
          await app.close();
        }
      },
    );

  program
    .command('push')
    .description("push a CRM's pending local changes (one entity, or every writable one)")
    .argument('<crm>', 'the CRM plugin')
    .argument('[entity]', 'one writable entity (default: all with pending changes)')
    .option('--json', 'print the push results as JSON')
    .action(
      async (
        crm: string,
        entity: string | undefined,
        opts: { json?: boolean },
        command: Command,
      ) => {
        const app = await ctx.open(command);
        const bar = pushProgress(ctx.io);
        try {
          const results = await withSignal((signal) =>
            app.writes.push(crm, entity, {
              trigger: 'cli',
              signal,
              ...(!opts.json && { onProgress: bar.onProgress }),
            }),
          );
          bar.stop();
          if (opts.json) ctx.io.out(`${JSON.stringify(results, null, 2)}\n`);
          else if (results.length === 0) ctx.io.out(`${crm}: nothing to push\n`);
          else for (const r of results) ctx.io.out(summary(r));
          ctx.setExitCode(exitCodeForPushes(results));
        } finally {
          bar.stop();
          await app.close();
        }
      },
    );

  program
    .command('conflicts')
    .description('open conflicts: fields changed here and at the CRM to different values')
    .option('--crm <crm>', 'only this CRM')
    .option('--json', 'print as JSON')
    .action(async (opts: { crm?: string; json?: boolean }, command: Command) => {
      const app = await ctx.open(command);
      try {
        const list = await app.writes.listConflicts({ ...(opts.crm && { crm: opts.crm }) });
        if (opts.json) {
          ctx.io.out(`${JSON.stringify(list.map(conflictJson), null, 2)}\n`);
          return;
        }
        if (list.length === 0) ctx.io.out('no open conflicts\n');
        for (const c of list) {
          ctx.io.out(
            `${c.id}  ${c.crmSource} ${c.entity} ${c.recordId}  local ${c.localModifiedAt.toISOString()}  remote ${c.remoteModifiedAt?.toISOString() ?? '?'}\n`,
          );
          for (const f of c.fields)
            ctx.io.out(
              `  ${f.field}: base ${show(f.base)} | local ${show(f.local)} | remote ${show(f.remote)}\n`,
            );
        }
      } finally {
        await app.close();
      }
    });

  program
    .command('resolve')
    .description(
      'resolve a conflict: keep the local value (written to the CRM), the remote one, or write a typed value',
    )
    .argument('<conflict-id>', 'an id from crmsync conflicts')
    .option('--keep <side>', 'local or remote')
    .option(
      '--value <value...>',
      "the value to write, checked against the field's type (Field=value when several fields conflict)",
    )
    .action(
      async (conflictId: string, opts: { keep?: string; value?: string[] }, command: Command) => {
        if ((opts.keep === undefined) === (opts.value === undefined))
          throw new InputError('--keep', '--keep local|remote or --value <value>, one of them');
        if (opts.keep !== undefined && opts.keep !== 'local' && opts.keep !== 'remote')
          throw new InputError('--keep', 'local or remote', opts.keep);
        const keep = opts.keep as 'local' | 'remote' | undefined;
        const app = await ctx.open(command);
        try {
          const value = keep ? {} : await app.writes.typedValue(conflictId, opts.value ?? []);
          const result = await withSignal((signal) =>
            app.writes.resolve(conflictId, keep ? { keep } : { value }, {
              trigger: 'cli',
              signal,
            }),
          );
          const how = keep
            ? `kept ${keep}`
            : `wrote ${Object.entries(value)
                .map(([f, v]) => `${f}=${v}`)
                .join(', ')}`;
          ctx.io.out(
            `conflict ${conflictId} resolved (${how}); change ${result.change.id} is ${result.change.state}\n`,
          );
          ctx.setExitCode(result.push ? exitCodeForPushes([result.push]) : EXIT.success);
        } finally {
          await app.close();
        }
      },
    );

  program
    .command('mass-update')
    .description(
      'set fields on many records (ids or a filter over the store, up to 50,000), pushed in the CRM batches',
    )
    .argument('<crm>', 'the CRM plugin')
    .argument('<entity>', 'a writable entity')
    .option('--set <Field=value...>', 'the fields to set (repeat or list several)')
    .option('--ids <ids>', 'comma-separated record ids')
    .option('--where <Field=value...>', 'the stored records whose fields equal these values')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        crm: string,
        entity: string,
        opts: { set?: string[]; ids?: string; where?: string[]; json?: boolean },
        command: Command,
      ) => {
        if (!opts.set?.length) throw new InputError('--set', 'Field=value (at least one)');
        const set = parseAssignments(opts.set, '--set');
        if ((opts.ids === undefined) === (opts.where === undefined))
          throw new InputError('records', 'either --ids or --where');
        const ids = opts.ids
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const where: RecordFilter[] | undefined = opts.where
          ? Object.entries(parseAssignments(opts.where, '--where')).map(([field, value]) => ({
              field,
              op: 'EQUALS',
              value,
            }))
          : undefined;
        const app = await ctx.open(command);
        const bar = pushProgress(ctx.io);
        try {
          const result = await withSignal((signal) =>
            app.writes.massUpdate(
              { crm, entity, set, ...(ids && { ids }), ...(where && { where }), author: 'cli' },
              { trigger: 'cli', signal, ...(!opts.json && { onProgress: bar.onProgress }) },
            ),
          );
          bar.stop();
          if (opts.json) ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
          else ctx.io.out(`${crm} ${entity} mass update: ${summary(result)}`);
          ctx.setExitCode(exitCodeForPushes([result]));
        } finally {
          bar.stop();
          await app.close();
        }
      },
    );
}
