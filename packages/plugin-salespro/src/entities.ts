import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import {
  CrmsyncError,
  defineEntity,
  type EntityDefinition,
  type FieldSchema,
  type FieldSpec,
} from '@crmsync/core';
import { parse } from 'csv-parse';
import { z } from 'zod';
import type { ResultPage, SalesProAthena } from './client.js';
import { leadResultFields, parseLeadResults } from './lead-results.js';
import { type AthenaType, type SalesProTable, TABLES } from './tables.js';

/** What the entities need of a run: Athena, and where the users/offices exports are. */
export interface SalesProRun {
  athena: SalesProAthena;
  usersCsv?: string | undefined;
  officesCsv?: string | undefined;
}

/** A read in progress: the query whose results are being paged, and the next page's token. */
const checkpoint = z.object({ queryExecutionId: z.string().min(1), nextToken: z.string().min(1) });
type AthenaCheckpoint = z.infer<typeof checkpoint>;

type Row = Record<string, unknown>;

function fieldOf(table: SalesProTable, column: string, type: AthenaType): FieldSpec {
  const required = column === table.key || column === table.required;
  const base: FieldSpec =
    type === 'timestamp'
      ? { type: 'datetime' }
      : type === 'double'
        ? { type: 'decimal' }
        : type === 'boolean'
          ? { type: 'boolean' }
          : type === 'bigint'
            ? { type: 'integer' }
            : column === 'state'
              ? { type: 'state' }
              : column === 'zip_code'
                ? { type: 'zip_code' }
                : { type: 'string' };
  return required ? { ...base, required: true } : base;
}

/** An Athena timestamp (`2024-01-02 03:04:05.678`, UTC in the vault) as an ISO instant. */
export function athenaTimestampToIso(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,9})?$/.exec(value);
  if (!m) return value;
  return `${m[1]}T${m[2]}${(m[3] ?? '.000').slice(0, 4).padEnd(4, '0')}Z`;
}

/** An instant as an Athena timestamp literal (millisecond precision). */
export function athenaTimestamp(at: Date): string {
  return `timestamp '${at.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/** One result row, every value a string, typed by its column's Athena type. */
function typed(page: ResultPage, values: Array<string | null>): Row {
  const row: Row = {};
  page.columns.forEach((c, i) => {
    const v = values[i] ?? null;
    if (v === null) row[c.name] = null;
    else if (c.type === 'timestamp') row[c.name] = athenaTimestampToIso(v);
    else if (c.type === 'boolean') row[c.name] = v === 'true';
    else if (c.type === 'bigint' || c.type === 'integer' || c.type === 'double')
      row[c.name] = v === '' ? null : Number(v);
    else row[c.name] = v;
  });
  return row;
}

/**
 * One vault table as an entity: a delta asks `WHERE <stamp> > timestamp '…' AND <stamp> <
 * timestamp '…' ORDER BY <stamp>, <key>` (both bounds exclusive, as the seeds read), Athena
 * runs it, and its results are paged by `NextToken` (`--batch-size`, at most 1,000). The
 * checkpoint is the execution id and the next token: a resumed read pages on through the same
 * results instead of running the query again.
 */
export function athenaEntity(
  table: SalesProTable,
): EntityDefinition<SalesProRun, Row, AthenaCheckpoint> {
  const isLeads = table.table === 'lead_results';
  const fields: FieldSchema = {};
  for (const [column, type] of Object.entries(table.columns))
    fields[column] = fieldOf(table, column, type);
  if (isLeads) Object.assign(fields, leadResultFields);
  const columns = Object.keys(table.columns)
    .map((c) => `"${c}"`)
    .join(', ');
  return defineEntity<SalesProRun, Row, AthenaCheckpoint>({
    name: table.name,
    displayName: table.displayName,
    description: `SalesPro vault table \`${table.table}\` through Athena${table.optional ? ' (not in every vault)' : ''}`,
    primaryKey: table.key,
    delta: {
      kind: table.deltaColumn === 'created_at' ? 'created-since' : 'updated-since',
      field: table.deltaColumn,
    },
    updatedAtField: 'updated_at',
    createdAtField: 'created_at',
    fullReadDetectsDeletes: true,
    fields,
    pageSize: { default: 1000, max: 1000 },
    checkpoint,
    async *fetch(run, request) {
      let id = request.checkpoint?.queryExecutionId;
      let token = request.checkpoint?.nextToken;
      if (!id) {
        const where: string[] = [];
        if (request.since) where.push(`"${table.deltaColumn}" > ${athenaTimestamp(request.since)}`);
        if (request.until) where.push(`"${table.deltaColumn}" < ${athenaTimestamp(request.until)}`);
        const sql =
          `SELECT ${columns} FROM "${table.table}"` +
          (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
          ` ORDER BY "${table.deltaColumn}", "${table.key}"`;
        id = await run.athena.run(sql, request.signal);
      }
      const max = Math.min(1000, request.batchSize);
      do {
        const page = await run.athena.page(id, max, token, request.signal);
        token = page.nextToken;
        const records = page.rows.map((values) => {
          const row = typed(page, values);
          return isLeads ? { ...row, ...parseLeadResults(row.lead_results as string | null) } : row;
        });
        yield {
          records,
          ...(token && { checkpoint: { queryExecutionId: id, nextToken: token } }),
        };
      } while (token);
    },
  });
}

const csvFields = (spec: Record<string, FieldSpec['type']>, key: string): FieldSchema =>
  Object.fromEntries(
    Object.entries(spec).map(([name, type]) => [
      name,
      name === key ? { type, required: true } : { type },
    ]),
  );

/** The users export's columns (Parse-style names, as the seeds' CSV had them). */
const USER_COLUMNS: Record<string, FieldSpec['type']> = {
  objectId: 'string',
  username: 'string',
  nameFirst: 'string',
  nameLast: 'string',
  email: 'email',
  phoneNumber: 'phone',
  isActive: 'boolean',
  isManager: 'boolean',
  isAvailableToCall: 'boolean',
  canActivateUsers: 'boolean',
  canChangeSettings: 'boolean',
  canSubmitCreditApps: 'boolean',
  disableChangeCompany: 'boolean',
  company: 'string',
  selectedOffice: 'string',
  allowedOffices: 'json',
  identifier: 'string',
  licenseNumber: 'string',
  createdAt: 'datetime',
  updatedAt: 'datetime',
  lastLoginDate: 'datetime',
  deactivatedDate: 'datetime',
};

const OFFICE_COLUMNS: Record<string, FieldSpec['type']> = {
  objectId: 'string',
  name: 'string',
  company: 'string',
  companyName: 'string',
  canSearchAllEstimates: 'boolean',
  lastEditUser: 'string',
  lastEditDate: 'datetime',
  createdAt: 'datetime',
  updatedAt: 'datetime',
};

/**
 * A CSV export (users, offices) as an entity read whole every run: streamed with csv-parse,
 * header row naming the columns, empty cells null, JSON cells (`allowedOffices`) parsed. A
 * row gone from the next export is soft-deleted.
 */
function csvEntity(
  name: 'users' | 'offices',
  columns: Record<string, FieldSpec['type']>,
  file: (run: SalesProRun) => string | undefined,
  setting: string,
): EntityDefinition<SalesProRun, Row> {
  return defineEntity<SalesProRun, Row>({
    name,
    displayName: name === 'users' ? 'Users (CSV export)' : 'Offices (CSV export)',
    description: `SalesPro ${name} from the CSV export named by ${setting}`,
    primaryKey: 'objectId',
    delta: { kind: 'none' },
    fields: csvFields(columns, 'objectId'),
    updatedAtField: 'updatedAt',
    createdAtField: 'createdAt',
    pageSize: { default: 1000, max: 10_000 },
    async *fetch(run, request) {
      const path = file(run);
      if (!path)
        throw new CrmsyncError(
          'config',
          `salespro ${name}: no export configured: set ${setting} to the CSV file`,
          {
            crm: 'salespro',
            entity: name,
            field: setting,
          },
        );
      await access(path).catch(() => {
        throw new CrmsyncError(
          'config',
          `salespro ${name}: ${setting} names a file that cannot be read: ${path}`,
          {
            crm: 'salespro',
            entity: name,
            field: setting,
          },
        );
      });
      const parser = createReadStream(path).pipe(
        parse({ columns: true, bom: true, skip_empty_lines: true, trim: true }),
      );
      let batch: Row[] = [];
      for await (const raw of parser as AsyncIterable<Record<string, string>>) {
        request.signal.throwIfAborted();
        const row: Row = {};
        for (const [column, value] of Object.entries(raw)) {
          if (!(column in columns)) continue;
          if (value === '') row[column] = null;
          else if (columns[column] === 'json') {
            try {
              row[column] = JSON.parse(value);
            } catch {
              row[column] = value;
            }
          } else row[column] = value;
        }
        batch.push(row);
        if (batch.length >= request.batchSize) {
          yield { records: batch };
          batch = [];
        }
      }
      yield { records: batch };
    },
  });
}

export const salesproEntities = [
  ...TABLES.map(athenaEntity),
  csvEntity('users', USER_COLUMNS, (r) => r.usersCsv, 'SALESPRO_USERS_CSV'),
  csvEntity('offices', OFFICE_COLUMNS, (r) => r.officesCsv, 'SALESPRO_OFFICES_CSV'),
];
