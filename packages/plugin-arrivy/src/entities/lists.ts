import { defineEntity, type FieldSchema } from '@crmsync/core';
import { z } from 'zod';
import { type ArrivyClient, type ArrivyRecord, arrivyPages } from '../client.js';

/** Arrivy's documented default page size (tasks); asking more is unconfirmed. */
export const PAGE_SIZE = { default: 500, max: 500 };

const checkpoint = z.strictObject({ page: z.number().int().min(1) });

/**
 * A list Arrivy serves with no change filter (entities, groups, crews, bookings, status
 * definitions): read whole every run — unchanged rows are skipped by hash, vanished ones
 * soft-deleted — page by page.
 */
export function arrivyList(spec: {
  name: string;
  displayName: string;
  description: string;
  path: string;
  fields: FieldSchema;
  query?: Record<string, string>;
}) {
  return defineEntity<ArrivyClient, ArrivyRecord, z.infer<typeof checkpoint>>({
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    primaryKey: 'id',
    delta: { kind: 'none' },
    pageSize: PAGE_SIZE,
    checkpoint,
    fields: spec.fields,
    updatedAtField: 'updated',
    createdAtField: 'created',
    async *fetch(client, request) {
      const pages = arrivyPages(client, spec.path, spec.query ?? {}, {
        size: Math.min(request.batchSize, PAGE_SIZE.max),
        startPage: request.checkpoint?.page ?? 1,
        signal: request.signal,
        logger: request.logger,
      });
      for await (const page of pages)
        yield { records: page.records, checkpoint: { page: page.next } };
    },
  });
}

const stamps: FieldSchema = {
  created: { type: 'datetime' },
  updated: { type: 'datetime' },
};

export const entities = arrivyList({
  name: 'entities',
  displayName: 'Entities (crew and people)',
  description: 'People and crew members who do the tasks',
  path: '/entities',
  fields: {
    id: { type: 'integer', required: true },
    name: { type: 'string', required: true },
    type: { type: 'string' },
    owner: { type: 'integer' },
    email: { type: 'email' },
    phone: { type: 'phone' },
    details: { type: 'text' },
    extra_fields: { type: 'json' },
    group_id: { type: 'integer' },
    external_id: { type: 'string' },
    image_id: { type: 'integer' },
    image_path: { type: 'url' },
    permission: { type: 'string' },
    is_active: { type: 'boolean' },
    ...stamps,
  },
});

export const groups = arrivyList({
  name: 'groups',
  displayName: 'Groups',
  description: 'Groups (branches) of the account',
  path: '/groups',
  fields: {
    id: { type: 'integer', required: true },
    url_safe_id: { type: 'string' },
    owner: { type: 'integer' },
    name: { type: 'string', required: true },
    description: { type: 'text' },
    email: { type: 'email' },
    phone: { type: 'phone' },
    timezone: { type: 'string' },
    city: { type: 'string' },
    state: { type: 'string' },
    zipcode: { type: 'string' },
    ...stamps,
  },
});

export const crews = arrivyList({
  name: 'crews',
  displayName: 'Crews',
  description: 'Crews (divisions) and their members',
  path: '/crews',
  fields: {
    id: { type: 'integer', required: true },
    name: { type: 'string', required: true },
    owner: { type: 'integer' },
    group_id: { type: 'integer' },
    entity_ids: { type: 'json' },
    ...stamps,
  },
});

export const bookings = arrivyList({
  name: 'bookings',
  displayName: 'Bookings',
  description: 'Booking forms customers schedule through',
  path: '/bookings',
  fields: {
    id: { type: 'integer', required: true },
    title: { type: 'string', required: true },
    details: { type: 'text' },
    owner: { type: 'integer' },
    group_id: { type: 'integer' },
    template_id: { type: 'integer' },
    duration: { type: 'integer' },
    is_active: { type: 'boolean' },
    extra_fields: { type: 'json' },
    ...stamps,
  },
});

export const statuses = arrivyList({
  name: 'statuses',
  displayName: 'Status definitions',
  description: 'The statuses a task can be given (the account defines its own)',
  path: '/statuses',
  fields: {
    id: { type: 'integer', required: true },
    name: { type: 'string', required: true },
    title: { type: 'string' },
    type_id: { type: 'integer' },
    status_type: { type: 'string' },
    is_active: { type: 'boolean' },
    order: { type: 'integer' },
    visible_to_customer: { type: 'boolean' },
    color: { type: 'string' },
    ...stamps,
  },
});
