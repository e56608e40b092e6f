import { salesproTable } from '../tables.js';
import { vaultRow } from './rows.js';
import { AthenaFake, type AthenaFakeOptions, vaultTime } from './server.js';

const DAY = 86_400_000;

/** The plugin config that points at a fake Athena. */
export function athenaConfig(fake: AthenaFake, extra: Record<string, unknown> = {}) {
  return {
    SALESPRO_ACCESS_KEY_ID: fake.accessKeyId,
    SALESPRO_SECRET_ACCESS_KEY: fake.secretAccessKey,
    SALESPRO_SERVER_REGION: fake.region,
    SALESPRO_ATHENA_ENDPOINT: fake.endpoint,
    SALESPRO_DATABASE: fake.database,
    SALESPRO_WORKGROUP: fake.workGroup,
    SALESPRO_OUTPUT_LOCATION: 's3://customer-analytics-data-vault-test/athena-results/',
    SALESPRO_POLL_MS: 5,
    SALESPRO_THROTTLE_WAIT_MS: 1000,
    ...extra,
  };
}

/**
 * The kit's fixture for one vault table: `size` rows changed over the past 90 days in a fake
 * Athena. Removing a row deletes it from the table (a full read no longer returns it).
 */
export async function startSalesProKitFixture(
  entity: string,
  size: number,
  options: AthenaFakeOptions = {},
) {
  const t = salesproTable(entity);
  const fake = await AthenaFake.start(options);
  const now = Date.now();
  let next = 1;
  const add = (at: number) => {
    const row = vaultRow(t, next++, at);
    fake.insert(t.table, [row]);
    return String(row[t.key]);
  };
  for (let i = 0; i < size; i++)
    add(now - 90 * DAY + Math.floor((i * 89 * DAY) / Math.max(1, size)));
  const db = fake.db;
  const keys = (sql: string, ...args: unknown[]) =>
    (
      db
        .prepare(sql)
        .raw()
        .all(...args) as string[][]
    ).map((r) => r[0] as string);
  const ordered = `SELECT "${t.key}" FROM "${t.table}" ORDER BY "${t.deltaColumn}", "${t.key}"`;
  return {
    fake,
    config: athenaConfig(fake),
    pluginOptions: {},
    badCredentials: { SALESPRO_SECRET_ACCESS_KEY: 'not/the/secret/for/this/key/0000000000000' },
    async mutate(count: number) {
      const ids = keys(`${ordered} LIMIT ?`, count);
      const stamp = vaultTime(Date.now());
      for (const id of ids)
        db.prepare(
          `UPDATE "${t.table}" SET "${t.required}" = ?, "updated_at" = ?, "${t.deltaColumn}" = ? WHERE "${t.key}" = ?`,
        ).run(`changed ${id}`, stamp, stamp, id);
      return ids;
    },
    async addRecords(count: number, at: Date) {
      return Array.from({ length: count }, () => add(at.getTime()));
    },
    async corrupt(count: number) {
      const ids = keys(`${ordered} DESC LIMIT ?`, count);
      for (const id of ids)
        db.prepare(`UPDATE "${t.table}" SET "${t.required}" = NULL WHERE "${t.key}" = ?`).run(id);
      return ids;
    },
    async setUpdatedAt(id: string, at: Date) {
      db.prepare(`UPDATE "${t.table}" SET "updated_at" = ? WHERE "${t.key}" = ?`).run(
        vaultTime(at.getTime()),
        id,
      );
    },
    async remove(count: number) {
      const ids = keys(`${ordered} LIMIT ?`, count);
      for (const id of ids) db.prepare(`DELETE FROM "${t.table}" WHERE "${t.key}" = ?`).run(id);
      return ids;
    },
    injectFault(
      fault:
        | { kind: 'rate-limit'; retryAfterSeconds: number }
        | { kind: 'server-error'; count: number },
    ) {
      // Athena throttles with a 400 ThrottlingException and no Retry-After: the client's own
      // wait (SALESPRO_THROTTLE_WAIT_MS, 1 s here) is what the kit sees.
      if (fault.kind === 'rate-limit')
        fake.api.fault({
          status: 400,
          body: { __type: 'ThrottlingException', Message: 'Rate exceeded' },
          headers: { 'x-amzn-errortype': 'ThrottlingException' },
        });
      else
        fake.api.fault({
          status: 500,
          times: fault.count,
          body: { __type: 'InternalServerException', Message: 'Internal error' },
          headers: { 'x-amzn-errortype': 'InternalServerException' },
        });
    },
    requestedPageSizes: () => [...fake.maxResults],
    close: () => fake.close(),
  };
}
