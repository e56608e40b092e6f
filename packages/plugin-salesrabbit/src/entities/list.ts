import {
  createDefaultProcessor,
  type DeltaSpec,
  defineEntity,
  type EntityDefinition,
  type FetchRequest,
  type FieldSchema,
  type Page,
} from '@crmsync/core';
import { z } from 'zod';
import type { SalesRabbitClient } from '../client.js';

export type SalesRabbitRecord = Record<string, unknown>;

/** Largest page asked (callers use up to 1,000; the real cap is unconfirmed). */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 500;

const checkpoint = z.strictObject({ page: z.number().int().min(0) });
type Checkpoint = z.infer<typeof checkpoint>;

/** `2024-01-01T00:00:00+00:00`: ISO 8601 with an explicit offset, to the second, as legacy sent it. */
export function headerTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const timeOf = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;

export interface SalesRabbitListSpec {
  name: string;
  displayName: string;
  description: string;
  path: string;
  /** The request header that carries a delta's since. */
  sinceHeader: 'If-Modified-Since' | 'If-Status-Modified-Since';
  delta: Exclude<DeltaSpec, { kind: 'none' } | { kind: 'trailing-window' }>;
  /** The first page number (users are 0-indexed). */
  firstPage: number;
  fields: FieldSchema;
  updatedAtField?: string;
  createdAtField?: string;
  /** Field whose non-null value marks a deleted record (leads' `deletedAt`). */
  deletedFlag?: string;
  dependsOn?: string[];
  /** Flatten `customFields{}` into typed `custom_<name>` columns. */
  customFields?: boolean;
}

/**
 * One SalesRabbit list as an entity. Page after page of `page` plus the page-size parameter
 * the client is configured with; a delta sends its since in the list's change header, and a
 * 304 or an empty list both mean nothing changed. Since SalesRabbit's paging is unconfirmed,
 * the read does not trust the page size it asked: it learns the size the server actually
 * serves (warning once when it differs), stops only on an empty page or one shorter than the
 * server's pages, at the envelope's total when there is one, or on a page that brings no id it
 * has not seen (the `/users` that answers every user on every page).
 */
export function salesRabbitList(
  spec: SalesRabbitListSpec,
): EntityDefinition<SalesRabbitClient, SalesRabbitRecord, Checkpoint> {
  const entity: EntityDefinition<SalesRabbitClient, SalesRabbitRecord, Checkpoint> = {
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    primaryKey: 'id',
    delta: spec.delta,
    pageSize: { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE },
    checkpoint,
    fields: spec.fields,
    ...(spec.updatedAtField && { updatedAtField: spec.updatedAtField }),
    ...(spec.createdAtField && { createdAtField: spec.createdAtField }),
    ...(spec.dependsOn && { dependsOn: spec.dependsOn }),
    fetch: (client, request) => readList(spec, client, request),
  };
  if (spec.customFields) {
    const base = createDefaultProcessor(entity, 'salesrabbit');
    entity.processor = {
      transform(raw) {
        const record = base.transform(raw);
        const custom = raw.customFields;
        if (custom && typeof custom === 'object' && !Array.isArray(custom))
          // A declared custom field (SALESRABBIT_CUSTOM_FIELDS) is already mapped by its type.
          for (const [key, value] of Object.entries(custom))
            if (!(`custom_${key}` in spec.fields)) record.data[`custom_${key}`] = inferTyped(value);
        return record;
      },
      validate: (record, context) => base.validate(record, context),
    };
  }
  return defineEntity(entity);
}

const ISO_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * A custom field's value typed by what it holds: numbers and `"12.5"` as numbers, `"true"` /
 * `"false"` as booleans, date-times as ISO UTC, dates as `YYYY-MM-DD`; anything else as it came.
 */
export function inferTyped(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text) && text.length <= 15 && !/^0\d/.test(text)) return Number(text);
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^\d{4}-\d\d-\d\d$/.test(text) && !Number.isNaN(Date.parse(text))) return text;
  if (ISO_TIME.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return value;
}

async function* readList(
  spec: SalesRabbitListSpec,
  client: SalesRabbitClient,
  request: FetchRequest<Checkpoint>,
): AsyncGenerator<Page<SalesRabbitRecord, Checkpoint>> {
  const size = Math.max(1, Math.min(request.batchSize, MAX_PAGE_SIZE));
  const { since, until } = request;
  // Whether the header compares > or ≥ is unconfirmed: it is sent a second early, and the
  // engine's inclusive since is applied to the records here.
  const headers: Record<string, string> = since
    ? { [spec.sinceHeader]: headerTime(since.getTime() - 1000) }
    : {};
  const field = spec.fields[spec.delta.field]?.source ?? spec.delta.field;
  const seen = new Set<string>();
  let page = request.checkpoint?.page ?? spec.firstPage;
  let served = 0; // the largest page the server has answered
  let warned = false;
  let shortBefore = false;
  let repeatAllowed = true;
  for (;;) {
    const answer = await client.list(
      spec.path,
      { page, [client.pageSizeParam]: size },
      headers,
      request.signal,
    );
    if (answer.notModified) {
      yield { records: [] };
      return;
    }
    const list = answer.records;
    const fresh = list.filter((r) => !seen.has(String(r.id)));
    for (const r of fresh) seen.add(String(r.id));
    // Larger than asked, or more records after a page shorter than asked: not the size asked.
    if (!warned && (list.length > size || (list.length > 0 && shortBefore))) {
      warned = true;
      request.logger.warn(
        `salesrabbit ${spec.name}: asked ${client.pageSizeParam}=${size} and got a page of ${list.length}: the server may not honour ${client.pageSizeParam} (set SALESRABBIT_PAGE_SIZE_PARAM); paging goes on by the size it serves`,
      );
    }
    const previousServed = served;
    if (list.length < size) shortBefore = true;
    served = Math.max(served, list.length);
    const records: SalesRabbitRecord[] = [];
    const deletedIds: string[] = [];
    for (const r of fresh) {
      const at = timeOf(r[field]);
      if (since && at < since.getTime()) continue;
      if (until && at >= until.getTime()) continue;
      if (spec.deletedFlag && r[spec.deletedFlag] != null) deletedIds.push(String(r.id));
      else records.push(r);
    }
    yield {
      records,
      ...(deletedIds.length > 0 && { deletedIds }),
      checkpoint: { page: page + 1 },
      ...(answer.total !== undefined && { estimatedTotal: answer.total }),
    };
    if (list.length === 0) return;
    if (answer.total !== undefined && seen.size >= answer.total) return;
    if (fresh.length === 0) {
      // Page 1 repeating page 0 may be a 1-indexed server reading page 0 as page 1: one more.
      if (!(repeatAllowed && page === spec.firstPage + 1 && spec.firstPage === 0)) return;
      repeatAllowed = false;
    } else if (list.length < previousServed) return; // shorter than the server's pages: the last
    page++;
    request.signal.throwIfAborted();
  }
}
