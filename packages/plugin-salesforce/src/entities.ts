import {
  createDefaultProcessor,
  defineEntity,
  type EntityDefinition,
  type FetchRequest,
  type FieldSchema,
  type MappedRecord,
  type Page,
  type SlicedCheckpoint,
  slicedEntity,
} from '@crmsync/core';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { DescribeField, SalesforceClient } from './client.js';
import { modstampWhere, parseSalesforceDateTime } from './soql.js';

export type SalesforceRecord = Record<string, unknown> & { Id: string; SystemModstamp: string };

/**
 * Where a read got to: the change time and id of the last record written (a keyset, since a
 * query locator dies after 15 minutes idle), or the Bulk 2.0 job and the locator of its next
 * chunk (results stay 7 days), or that the records are done and the deletions are being read.
 */
export const salesforceCheckpoint = z.strictObject({
  phase: z.literal('deletes').optional(),
  at: z.number().optional(),
  id: z.string().optional(),
  bulk: z.strictObject({ job: z.string(), locator: z.string().optional() }).optional(),
});
export type SalesforceCheckpoint = z.infer<typeof salesforceCheckpoint>;

/** Types SOQL cannot select as one column in Bulk 2.0 (their parts are fields of their own). */
const COMPOUND = new Set(['address', 'location']);
const NUMERIC = new Set(['int', 'double', 'currency', 'percent', 'long']);
const MIN_BATCH = 200;

/** Raw record → plain values: no `attributes`, datetimes as ISO, CSV text typed by describe. */
function normalize(
  raw: Record<string, unknown>,
  types: Map<string, string>,
  fromCsv: boolean,
): SalesforceRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'attributes') continue;
    const type = types.get(key);
    let v = value;
    if (fromCsv && typeof v === 'string') {
      // Bulk CSV writes null as an empty cell and every value as text.
      if (v === '') v = null;
      else if (type === 'boolean') v = v === 'true';
      else if (type && NUMERIC.has(type)) v = Number(v);
    }
    if (type === 'datetime' && typeof v === 'string') {
      const ms = parseSalesforceDateTime(v);
      if (!Number.isNaN(ms)) v = new Date(ms).toISOString();
    }
    out[key] = v;
  }
  return out as SalesforceRecord;
}

export interface SObjectSpec {
  /** Entity name (`leads`). */
  name: string;
  /** SOQL object (`Lead`). */
  object: string;
  displayName?: string;
  /** Typed, validated fields; every other field describe lists is stored as it comes. */
  fields: FieldSchema;
}

const stamps: FieldSchema = {
  Id: { type: 'object_id', required: true },
  CreatedDate: { type: 'datetime' },
  LastModifiedDate: { type: 'datetime' },
  SystemModstamp: { type: 'datetime', required: true },
};

/**
 * An SObject read with SOQL: the fields `sobjects/<Object>/describe` lists at run time (custom
 * `__c` fields included without code), `WHERE SystemModstamp >= <since> [AND SystemModstamp <
 * <until>] ORDER BY SystemModstamp, Id` with datetime literals unquoted, `nextRecordsUrl` batches
 * of `Sforce-Query-Options: batchSize` (200–2,000; a smaller `--batch-size` pages by `LIMIT`
 * on the keyset instead), deletions from `queryAll … WHERE IsDeleted = true`, and a Bulk API
 * 2.0 query job for an unbounded read whose `COUNT()` reaches the bulk threshold.
 */
export function sobjectEntity(
  spec: SObjectSpec,
): EntityDefinition<SalesforceClient, SalesforceRecord, SalesforceCheckpoint | SlicedCheckpoint> {
  const schema: FieldSchema = { ...stamps, ...spec.fields };
  const definition = defineEntity<SalesforceClient, SalesforceRecord, SalesforceCheckpoint>({
    name: spec.name,
    displayName: spec.displayName ?? spec.object,
    description: `Salesforce ${spec.object}`,
    primaryKey: 'Id',
    delta: { kind: 'updated-since', field: 'SystemModstamp' },
    pageSize: { default: 2_000, max: 2_000 },
    checkpoint: salesforceCheckpoint,
    fields: schema,
    updatedAtField: 'SystemModstamp',
    createdAtField: 'CreatedDate',
    fetch: (client, request) => read(client, request),
  });
  const base = createDefaultProcessor<SalesforceRecord>(definition, 'salesforce');
  const entity: EntityDefinition<SalesforceClient, SalesforceRecord, SalesforceCheckpoint> = {
    ...definition,
    processor: {
      // The typed fields as declared, then every other field describe listed, as it came.
      transform(raw): MappedRecord {
        const record = base.transform(raw);
        const data: Record<string, unknown> = { ...raw, ...record.data };
        const sorted: Record<string, unknown> = {};
        for (const key of Object.keys(data).sort()) sorted[key] = data[key];
        record.data = sorted;
        return record;
      },
      validate: (record, context) => base.validate(record, context),
    },
  };
  // Time slices read at once (the SOQL WHERE takes both bounds); spans share the client, so
  // its concurrency cap and the org's allocation hold across them.
  return slicedEntity(entity, {
    async origin(client, request) {
      // A read Bulk 2.0 will serve is left whole: Salesforce parallelises the job itself.
      const choice = String(request.options.bulk ?? 'auto');
      if (!request.since && choice !== 'never') {
        if (choice === 'always') return undefined;
        const count = await client.count(spec.object, modstampWhere(request), request.signal);
        if (count >= client.bulkThreshold) return undefined;
      }
      const first = await client.query<SalesforceRecord>(
        `SELECT SystemModstamp FROM ${spec.object} ORDER BY SystemModstamp LIMIT 1`,
        { signal: request.signal },
      );
      const at = first.records[0]?.SystemModstamp;
      return at ? new Date(parseSalesforceDateTime(at)) : undefined;
    },
  });

  async function* read(
    client: SalesforceClient,
    request: FetchRequest<SalesforceCheckpoint>,
  ): AsyncGenerator<Page<SalesforceRecord, SalesforceCheckpoint>> {
    const { signal } = request;
    const described = await client.describe(spec.object, signal);
    const selectable = described.filter((f: DescribeField) => !COMPOUND.has(f.type));
    const types = new Map(selectable.map((f) => [f.name, f.type]));
    const select = `SELECT ${selectable.map((f) => f.name).join(', ')} FROM ${spec.object}`;
    const range = { since: request.since, until: request.until };
    const cp = request.checkpoint;
    const inBounds = (r: SalesforceRecord) => {
      const at = Date.parse(r.SystemModstamp);
      return !(
        (request.since && at < request.since.getTime()) ||
        (request.until && at >= request.until.getTime())
      );
    };

    if (cp?.phase !== 'deletes') {
      let bulk = cp?.bulk;
      const choice = String(request.options.bulk ?? 'auto');
      if (!cp && !request.since && choice !== 'never') {
        const count =
          choice === 'always'
            ? Number.POSITIVE_INFINITY
            : await client.count(spec.object, modstampWhere(range), signal);
        if (count >= client.bulkThreshold)
          bulk = { job: await client.bulkQuery(`${select}${modstampWhere(range)}`, signal) };
      }
      if (bulk) {
        // Bulk 2.0: CSV chunks by locator until the header says the literal "null".
        let locator = bulk.locator;
        for (;;) {
          const chunk = await client.bulkResults(bulk.job, {
            locator,
            maxRecords: client.bulkChunk,
            signal,
          });
          const rows = parse(chunk.csv, { columns: true, skip_empty_lines: true }) as Array<
            Record<string, string>
          >;
          const records = rows.map((r) => normalize(r, types, true)).filter(inBounds);
          if (chunk.locator === null) {
            yield { records, checkpoint: { phase: 'deletes' } };
            break;
          }
          locator = chunk.locator;
          yield { records, checkpoint: { bulk: { job: bulk.job, locator } } };
        }
      } else {
        yield* queryPages(client, request, select, types, inBounds);
      }
    }

    // Deletions: queryAll returns the recycle bin's rows, IsDeleted = true.
    const where = modstampWhere(range, ['IsDeleted = true']);
    let page = await client.query<SalesforceRecord>(`SELECT Id FROM ${spec.object}${where}`, {
      all: true,
      signal,
    });
    for (;;) {
      const deletedIds = page.records.map((r) => r.Id);
      if (deletedIds.length) yield { records: [], deletedIds, checkpoint: { phase: 'deletes' } };
      if (page.done || !page.nextRecordsUrl) break;
      page = await client.queryMore<SalesforceRecord>(page.nextRecordsUrl, { signal });
    }
  }

  /**
   * Records in SystemModstamp, Id order. Resuming (and paging below 200 a batch) goes by the
   * keyset: `SystemModstamp >=` the last written record's second, skipping what was read.
   */
  async function* queryPages(
    client: SalesforceClient,
    request: FetchRequest<SalesforceCheckpoint>,
    select: string,
    types: Map<string, string>,
    inBounds: (r: SalesforceRecord) => boolean,
  ): AsyncGenerator<Page<SalesforceRecord, SalesforceCheckpoint>> {
    const { signal } = request;
    const cp = request.checkpoint;
    let after = cp?.at !== undefined && cp.id !== undefined ? { at: cp.at, id: cp.id } : undefined;
    const fresh = (r: SalesforceRecord) => {
      if (!after) return true;
      const at = Date.parse(r.SystemModstamp);
      return at > after.at || (at === after.at && r.Id > after.id);
    };
    const soql = (limit?: number) =>
      `${select}${modstampWhere({ since: request.since, until: request.until, from: after && new Date(after.at) })} ORDER BY SystemModstamp, Id${limit ? ` LIMIT ${limit}` : ''}`;
    const batch = request.batchSize;
    const page = (raw: SalesforceRecord[]) => {
      const list = raw.map((r) => normalize(r, types, false));
      const last = list.at(-1);
      const records = list.filter((r) => fresh(r) && inBounds(r));
      if (last) after = { at: Date.parse(last.SystemModstamp), id: last.Id };
      return { records, checkpoint: after ? { ...after } : {} };
    };
    if (batch < MIN_BATCH) {
      // Salesforce batches hold 200 at least: smaller pages are a LIMIT on the keyset.
      let limit = batch;
      for (;;) {
        const before = after;
        const result = await client.query<SalesforceRecord>(soql(limit), { signal });
        const out = page(result.records);
        if (out.records.length === 0 && result.records.length === limit && before) {
          // A whole page of records already read (one second holding more than the limit):
          // ask more at once until the keyset moves past them.
          after = before;
          limit *= 2;
          continue;
        }
        yield out;
        if (result.records.length < limit) return;
        limit = batch;
      }
    }
    let result = await client.query<SalesforceRecord>(soql(), { batchSize: batch, signal });
    for (;;) {
      yield page(result.records);
      if (result.done || !result.nextRecordsUrl) return;
      result = await client.queryMore<SalesforceRecord>(result.nextRecordsUrl, {
        batchSize: batch,
        signal,
      });
    }
  }
}

/** The name and contact fields Lead and Contact share. */
const PERSON = {
  FirstName: { type: 'string' },
  LastName: { type: 'string', required: true },
  Name: { type: 'string' },
  Email: { type: 'email' },
  Phone: { type: 'phone' },
} satisfies FieldSchema;

export const leads = sobjectEntity({
  name: 'leads',
  object: 'Lead',
  displayName: 'Leads',
  fields: {
    ...PERSON,
    Company: { type: 'string' },
    Status: { type: 'string' },
    OwnerId: { type: 'object_id' },
  },
});

export const contacts = sobjectEntity({
  name: 'contacts',
  object: 'Contact',
  displayName: 'Contacts',
  fields: {
    ...PERSON,
    AccountId: { type: 'object_id' },
    OwnerId: { type: 'object_id' },
  },
});

export const accounts = sobjectEntity({
  name: 'accounts',
  object: 'Account',
  displayName: 'Accounts',
  fields: {
    Name: { type: 'string', required: true },
    Website: { type: 'url' },
    Phone: { type: 'phone' },
    Industry: { type: 'string' },
    Type: { type: 'string' },
    OwnerId: { type: 'object_id' },
  },
});

export const opportunities = sobjectEntity({
  name: 'opportunities',
  object: 'Opportunity',
  displayName: 'Opportunities',
  fields: {
    Name: { type: 'string', required: true },
    Amount: { type: 'decimal' },
    StageName: { type: 'string' },
    CloseDate: { type: 'date' },
    Probability: { type: 'decimal' },
    AccountId: { type: 'object_id' },
    OwnerId: { type: 'object_id' },
  },
});

/** `Case`, `Invoice__c` from `SALESFORCE_OBJECTS`: entity `case`, `invoice__c`. */
export function extraObjects(
  list: string | undefined,
): EntityDefinition<SalesforceClient, SalesforceRecord, SalesforceCheckpoint | SlicedCheckpoint>[] {
  const standard = new Set(['Lead', 'Contact', 'Account', 'Opportunity']);
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && !standard.has(s))
    .map((object) => {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(object))
        throw new Error(
          `SALESFORCE_OBJECTS: '${object}' is not an SObject API name (letters, digits, underscores, e.g. Case or Invoice__c)`,
        );
      return sobjectEntity({ name: object.toLowerCase(), object, fields: {} });
    });
}
