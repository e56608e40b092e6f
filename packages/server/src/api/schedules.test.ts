import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeInterval, parseInterval } from '../schedules/schedule-service.js';
import { startTestApi, type TestApi, testProviders } from '../../test/api/test-support.js';

const providers = await testProviders();

describe('schedule intervals', () => {
  it('reads long and short units and stores the long form', () => {
    for (const [given, stored, ms] of [
      ['15 minutes', '15 minutes', 900_000],
      ['15m', '15 minutes', 900_000],
      ['15 min', '15 minutes', 900_000],
      ['1 hrs', '1 hour', 3_600_000],
      ['2h', '2 hours', 7_200_000],
      ['1d', '1 day', 86_400_000],
      [' 90 Seconds ', '90 seconds', 90_000],
    ] as const) {
      expect(parseInterval(given), given).toBe(ms);
      expect(normalizeInterval(given), given).toBe(stored);
    }
  });

  it('refuses what is not a duration of at least a minute, naming the field', () => {
    for (const given of ['30s', '0m', '15 mo', 'm15', 'every so often', ''])
      expect(() => parseInterval(given), given).toThrow(
        /interval.*a duration of at least 1 minute such as "15 minutes", "15m", "2h" or "1d"/,
      );
  });
});

const RESULT = `__typename
  ... on Error { message }
  ... on FieldError { field expected }
  ... on NotFound { id what }`;
const SCHEDULE = 'id crmSource syncType interval cron options enabled pausedReason nextRun';

describe.each(providers)('schedule mutations on %s', (provider) => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ provider });
  });
  afterAll(() => t?.close());

  async function mutate(query: string, variables: Record<string, unknown>) {
    const { body } = await t.gql(query, variables);
    expect(body.errors).toBeUndefined();
    return Object.values(body.data!)[0] as Record<string, unknown> & {
      data?: Record<string, unknown>;
    };
  }

  it('creates, updates, pauses, resumes and deletes a schedule', async () => {
    const created = await mutate(
      `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${RESULT} ... on MutationCreateScheduleSuccess { data { ${SCHEDULE} } } } }`,
      {
        input: {
          crm: 'callrail',
          entity: 'calls',
          interval: '15 minutes',
          options: { batchSize: 100 },
        },
      },
    );
    expect(created.__typename).toBe('MutationCreateScheduleSuccess');
    const schedule = created.data!;
    expect(schedule).toMatchObject({
      crmSource: 'callrail',
      syncType: 'calls',
      interval: '15 minutes',
      cron: null,
      options: { batchSize: 100 },
      enabled: true,
    });
    const nextRun = Date.parse(schedule.nextRun as string);
    expect(nextRun - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(nextRun - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const id = schedule.id as string;

    const updated = await mutate(
      `mutation($id: ID!, $input: UpdateScheduleInput!) { updateSchedule(id: $id, input: $input) { ${RESULT} ... on MutationUpdateScheduleSuccess { data { ${SCHEDULE} } } } }`,
      { id, input: { cron: '0 * * * *' } },
    );
    // The next run of a cron schedule is shown at once: the next full hour.
    expect(updated.data).toMatchObject({ interval: null, cron: '0 * * * *' });
    const nextHour = Date.parse(updated.data!.nextRun as string);
    expect(new Date(nextHour).getMinutes()).toBe(0);
    expect(nextHour - Date.now()).toBeGreaterThan(0);
    expect(nextHour - Date.now()).toBeLessThanOrEqual(3_600_000);

    const paused = await mutate(
      `mutation($id: ID!) { pauseSchedule(id: $id, reason: "CRM maintenance") { ${RESULT} ... on MutationPauseScheduleSuccess { data { ${SCHEDULE} } } } }`,
      { id },
    );
    expect(paused.data).toMatchObject({ enabled: false, pausedReason: 'CRM maintenance' });
    const row = await t.store.prisma.syncSchedule.findUniqueOrThrow({ where: { id } });
    expect(row.enabled).toBe(false);

    const resumed = await mutate(
      `mutation($id: ID!) { resumeSchedule(id: $id) { ${RESULT} ... on MutationResumeScheduleSuccess { data { ${SCHEDULE} } } } }`,
      { id },
    );
    expect(resumed.data).toMatchObject({ enabled: true, pausedReason: null });

    const deleted = await mutate(
      `mutation($id: ID!) { deleteSchedule(id: $id) { ${RESULT} ... on MutationDeleteScheduleSuccess { data { id } } } }`,
      { id },
    );
    expect(deleted.data).toEqual({ id });
    expect(await t.store.prisma.syncSchedule.count()).toBe(0);

    const again = await mutate(`mutation($id: ID!) { deleteSchedule(id: $id) { ${RESULT} } }`, {
      id,
    });
    expect(again).toEqual({
      __typename: 'NotFound',
      message: `No schedule with id ${id}`,
      id,
      what: 'schedule',
    });
  });

  it('answers bad input with the field and what was expected', async () => {
    const create = `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${RESULT} } }`;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { crm: 'salesforce', entity: 'calls', interval: '1 hour' },
        'crm',
        'one of the installed CRMs: callrail',
      ],
      [
        { crm: 'callrail', entity: 'leads', interval: '1 hour' },
        'entity',
        "all, or one of callrail's entities",
      ],
      [{ crm: 'callrail', entity: 'all' }, 'interval', 'exactly one of interval and cron'],
      [
        { crm: 'callrail', entity: 'all', interval: '1 hour', cron: '* * * * *' },
        'interval',
        'exactly one of interval and cron',
      ],
      [
        { crm: 'callrail', entity: 'all', interval: 'every so often' },
        'interval',
        'a duration of at least 1 minute',
      ],
      [
        { crm: 'callrail', entity: 'all', interval: '10 seconds' },
        'interval',
        'a duration of at least 1 minute',
      ],
      [
        { crm: 'callrail', entity: 'all', cron: 'sometimes' },
        'cron',
        'a cron expression of 5 fields',
      ],
      [{ crm: 'callrail', entity: 'all', cron: 'foo bar' }, 'cron', 'a cron expression of 5'],
      [{ crm: 'callrail', entity: 'all', cron: '61 * * * *' }, 'cron', 'a cron expression of 5'],
      [
        { crm: 'callrail', entity: 'all', interval: '1 hour', options: [1] },
        'options',
        'a JSON object',
      ],
      [
        { crm: 'callrail', entity: 'all', interval: '1 hour', options: { batchSize: 0 } },
        'batch-size',
        'a whole number from 1 to 10000',
      ],
    ];
    for (const [input, field, expected] of cases) {
      const result = await mutate(create, { input });
      expect(result.__typename, JSON.stringify(input)).toBe('FieldError');
      expect(result.field).toBe(field);
      expect(result.expected).toContain(expected);
      expect(result.message).toContain(`Invalid ${field}`);
    }
    expect(await t.store.prisma.syncSchedule.count()).toBe(0);
  });

  it('says why a cron expression is refused, accepts 5m and 2h, and refuses a duplicate', async () => {
    const create = `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${RESULT} ... on MutationCreateScheduleSuccess { data { ${SCHEDULE} } } } }`;
    const minute = await mutate(create, {
      input: { crm: 'callrail', entity: 'all', cron: '61 * * * *' },
    });
    expect(minute.message).toMatch(/61 expected range 0-59 in the minute field/);
    const words = await mutate(create, {
      input: { crm: 'callrail', entity: 'all', cron: 'foo bar' },
    });
    expect(words.message).toContain('"foo bar" has 2 fields, not 5 or 6');

    const five = await mutate(create, {
      input: { crm: 'callrail', entity: 'calls', interval: '5m' },
    });
    expect(five.data).toMatchObject({ interval: '5 minutes' });
    const two = await mutate(create, {
      input: { crm: 'callrail', entity: 'calls', interval: '2h' },
    });
    expect(two.data).toMatchObject({ interval: '2 hours' });
    const twin = await mutate(create, {
      input: { crm: 'callrail', entity: 'calls', interval: '5 minutes' },
    });
    expect(twin).toMatchObject({ __typename: 'FieldError', field: 'schedule' });
    expect(twin.message).toContain(`schedule ${five.data!.id} already does it`);
    expect(await t.store.prisma.syncSchedule.count()).toBe(2);
    await t.store.prisma.syncSchedule.deleteMany();
  });
});
