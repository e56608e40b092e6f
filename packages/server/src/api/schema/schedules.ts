import { InputError } from '@crmsync/core';
import type { ApiContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { builder } from './builder.js';

export const ScheduleRef = builder.prismaObject('SyncSchedule', {
  name: 'Schedule',
  description: 'A recurring sync of one entity (or `all`) of a CRM.',
  fields: (t) => ({
    id: t.exposeID('id'),
    crmSource: t.exposeString('crmSource'),
    syncType: t.exposeString('syncType', { description: 'An entity name, or `all`.' }),
    interval: t.exposeString('interval', { nullable: true }),
    cron: t.exposeString('cron', { nullable: true }),
    options: t.expose('options', { type: 'JSON' }),
    enabled: t.exposeBoolean('enabled'),
    pausedReason: t.exposeString('pausedReason', { nullable: true }),
    nextRun: t.expose('nextRun', { type: 'DateTime', nullable: true }),
    lastRunId: t.exposeString('lastRunId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/**
 * Refuses a schedule whose runs would be refused (unknown CRM or entity, bad flags or plugin
 * options) with the words a sync start uses; credentials may come later.
 */
function checkSchedule(ctx: ApiContext, crm: string, entity: string, options: unknown): void {
  const { pluginOptions, ...flags } = objectOrThrow(options, 'options') ?? {};
  ctx.runtime.syncs.parse({ crm, entity, flags, pluginOptions }, { configured: false });
}

const CreateScheduleInput = builder.inputType('CreateScheduleInput', {
  fields: (t) => ({
    crm: t.string({ required: true }),
    entity: t.string({ required: true, description: 'An entity name, or `all`.' }),
    interval: t.string({
      required: false,
      description: 'e.g. "15 minutes"; exactly one of interval and cron.',
    }),
    cron: t.string({ required: false }),
    options: t.field({ type: 'JSON', required: false, description: 'Sync options for each run.' }),
    enabled: t.boolean({ required: false, defaultValue: true }),
  }),
});

const UpdateScheduleInput = builder.inputType('UpdateScheduleInput', {
  fields: (t) => ({
    interval: t.string({ required: false }),
    cron: t.string({ required: false }),
    options: t.field({ type: 'JSON', required: false }),
    enabled: t.boolean({ required: false }),
  }),
});

function objectOrThrow(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new InputError(field, 'a JSON object', value);
  return value as Record<string, unknown>;
}

const scheduleErrors = { types: [InputError, NotFoundError] };

builder.queryFields((t) => ({
  schedules: t.prismaConnection({
    type: 'SyncSchedule',
    cursor: 'id',
    args: { crm: t.arg.string({ required: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.syncSchedule.findMany({
        ...query,
        where: args.crm ? { crmSource: args.crm } : {},
        orderBy: { id: 'asc' },
      }),
  }),
}));

builder.mutationFields((t) => ({
  createSchedule: t.field({
    type: ScheduleRef,
    errors: scheduleErrors,
    args: { input: t.arg({ type: CreateScheduleInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkSchedule(ctx, input.crm, input.entity, input.options);
      return ctx.schedules.create({
        crmSource: input.crm,
        syncType: input.entity,
        interval: input.interval,
        cron: input.cron,
        options: objectOrThrow(input.options, 'options'),
        enabled: input.enabled ?? true,
      });
    },
  }),
  updateSchedule: t.field({
    type: ScheduleRef,
    errors: scheduleErrors,
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateScheduleInput, required: true }),
    },
    resolve: (_root, { id, input }, ctx) =>
      ctx.schedules.update(String(id), {
        ...(input.interval !== undefined && { interval: input.interval }),
        ...(input.cron !== undefined && { cron: input.cron }),
        ...(input.options != null && { options: objectOrThrow(input.options, 'options') }),
        ...(input.enabled != null && { enabled: input.enabled }),
      }),
  }),
  pauseSchedule: t.field({
    type: ScheduleRef,
    errors: scheduleErrors,
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) => ctx.schedules.pause(String(args.id), args.reason),
  }),
  resumeSchedule: t.field({
    type: ScheduleRef,
    errors: scheduleErrors,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.schedules.resume(String(args.id)),
  }),
  deleteSchedule: t.field({
    type: ScheduleRef,
    errors: scheduleErrors,
    description: 'Deletes the schedule; returns it as it was.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.schedules.delete(String(args.id)),
  }),
}));
