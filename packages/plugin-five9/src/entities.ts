import { createHash } from 'node:crypto';
import {
  type DeltaSpec,
  defineEntity,
  type EntityDefinition,
  type FieldSchema,
  type RequestMetrics,
} from '@crmsync/core';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Five9Client } from './client.js';

/** The getContactRecords cap: an answer of exactly this many may have left records out. */
export const CONTACT_CAP = 1000;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** What the entities need of a run. */
export interface Five9Run {
  client: Five9Client;
  metrics: RequestMetrics;
  /** The most records getContactRecords answers (Five9: 1,000). */
  cap: number;
  /** `folder/report` of a report listing contacts changed in a time window, when configured. */
  report?: { folder: string; name: string; pollMs: number } | undefined;
}

/**
 * A partition of the contacts: `number1` ending with `suffix` (`'%suffix'`), or, once split,
 * equal to it (a number that is the suffix itself would be in no child). Suffixes, not
 * prefixes: a list's first digits are a few area codes, its last digits are spread evenly,
 * so sibling partitions come out the same size.
 */
const partition = z.object({ suffix: z.string(), exact: z.boolean().optional() });
type Partition = z.infer<typeof partition>;
/** The partition tree's frontier: partitions still to read, in order. Read ones are gone. */
const contactsCheckpoint = z.object({ pending: z.array(partition) });
type ContactsCheckpoint = z.infer<typeof contactsCheckpoint>;

type Row = Record<string, string | null>;

function rows(fields: string[], records: string[][]): Row[] {
  return records.map((values) => {
    const row: Row = {};
    fields.forEach((f, i) => {
      const v = values[i];
      row[f] = v === undefined || v === '' ? null : v;
    });
    return row;
  });
}

const contactFields: FieldSchema = {
  contactID: { type: 'string', required: true },
  number1: { type: 'phone' },
  number2: { type: 'phone' },
  number3: { type: 'phone' },
  first_name: { type: 'string' },
  last_name: { type: 'string' },
  company: { type: 'string' },
  street: { type: 'string' },
  city: { type: 'string' },
  state: { type: 'string' },
  zip: { type: 'string' },
  email: { type: 'email' },
  sys_created_date: { type: 'string' },
  sys_last_agent: { type: 'string' },
  sys_last_disposition: { type: 'string' },
  sys_last_disposition_time: { type: 'string' },
  last_campaign: { type: 'string' },
  attempts: { type: 'integer' },
  last_list: { type: 'string' },
};

/** Records the call counters Five9 reports into the run's metrics (`five9CallCounters`). */
async function recordCounters(run: Five9Run, signal: AbortSignal): Promise<void> {
  const counters = await run.client.getCallCountersState(signal);
  Object.assign(run.metrics, {
    five9CallCounters: Object.fromEntries(
      counters.map((c) => [c.operationType, { value: c.value, limit: c.limit }]),
    ),
  });
}

/**
 * Every contact, read by partitions of `number1` under the 1,000-record cap: `%` (every
 * number) first, which is all a list under the cap needs; a partition that comes back with
 * exactly 1,000 records may have been cut, so its records are dropped and it is split into its
 * ten longer suffixes (`%0`…`%9`, then `%00`…) plus the suffix itself as an exact value,
 * recursively, until every partition is under the cap. One page per
 * partition read whole; the checkpoint is the frontier of partitions still to read.
 */
async function* partitionedRead(
  run: Five9Run,
  request: { checkpoint?: ContactsCheckpoint | undefined; signal: AbortSignal },
) {
  const pending: Partition[] = request.checkpoint?.pending.slice() ?? [{ suffix: '' }];
  while (pending.length > 0) {
    const part = pending.shift() as Partition;
    const value = part.exact ? part.suffix : `%${part.suffix}`;
    const result = await run.client.getContactRecords(
      [{ field: 'number1', value }],
      request.signal,
    );
    if (result.records.length >= run.cap && !part.exact) {
      pending.unshift(
        ...(part.suffix ? [{ suffix: part.suffix, exact: true }] : []),
        ...DIGITS.map((d) => ({ suffix: d + part.suffix })),
      );
      continue;
    }
    yield {
      records: rows(result.fields, result.records),
      ...(pending.length > 0 && { checkpoint: { pending: [...pending] } }),
    };
  }
  await recordCounters(run, request.signal);
}

/**
 * `contacts`. Without a report configured every read is whole (delta `none`: unchanged rows
 * are skipped by content hash). With FIVE9_CONTACTS_REPORT a read with bounds runs the report
 * over [since, until) and reads the contacts its CSV lists; a read without bounds is whole.
 */
export function contactsEntity(
  withReport: boolean,
): EntityDefinition<Five9Run, Row, ContactsCheckpoint> {
  const delta: DeltaSpec = withReport
    ? { kind: 'updated-since', field: 'modified_at' }
    : { kind: 'none' };
  return defineEntity<Five9Run, Row, ContactsCheckpoint>({
    name: 'contacts',
    displayName: 'Contacts',
    description: withReport
      ? 'Five9 contact records: whole reads by number1 partitions, deltas through the configured report'
      : 'Five9 contact records, read whole by number1 partitions (no modified-since in Five9)',
    primaryKey: 'contactID',
    delta,
    ...(withReport && { fullReadDetectsDeletes: true }),
    fields: withReport ? { ...contactFields, modified_at: { type: 'datetime' } } : contactFields,
    checkpoint: contactsCheckpoint,
    async *fetch(run, request) {
      if (!run.report || (!request.since && !request.until)) {
        yield* partitionedRead(run, request);
        return;
      }
      const csv = await run.client.reportCsv(
        run.report.folder,
        run.report.name,
        // The window's end is exclusive: up to now, this millisecond included (a change stamped
        // in the very millisecond the read starts would otherwise wait for the next delta).
        { start: request.since ?? new Date(0), end: request.until ?? new Date(Date.now() + 1) },
        request.signal,
        run.report.pollMs,
      );
      const records = (
        parse(csv, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[]
      ).map((r) => {
        const row: Row = {};
        for (const [k, v] of Object.entries(r))
          row[k === 'TIMESTAMP' ? 'modified_at' : k] = v === '' ? null : v;
        return row;
      });
      yield { records };
      await recordCounters(run, request.signal);
    },
  });
}

/** `contact_fields`: the domain's contact field definitions, read whole. */
export const contactFieldsEntity = defineEntity<Five9Run, Record<string, unknown>>({
  name: 'contact_fields',
  displayName: 'Contact fields',
  description: 'Five9 contact field definitions (getContactFields)',
  primaryKey: 'name',
  delta: { kind: 'none' },
  fields: {
    name: { type: 'string', required: true },
    type: { type: 'string' },
    system: { type: 'boolean' },
    mapTo: { type: 'string' },
    displayAs: { type: 'string' },
    restrictions: { type: 'json' },
  },
  async *fetch(run, request) {
    const fields = await run.client.getContactFields(request.signal);
    yield {
      records: fields.map((f) => ({
        ...f,
        restrictions:
          f.restrictions === undefined
            ? null
            : Array.isArray(f.restrictions)
              ? f.restrictions
              : [f.restrictions],
      })),
    };
  },
});

/** A stable digest of a row, for tests of hash-skipping. */
export const rowDigest = (row: Row) => createHash('sha1').update(JSON.stringify(row)).digest('hex');
