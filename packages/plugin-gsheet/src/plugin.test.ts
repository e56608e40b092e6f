import {
  createRequestMetrics,
  type FetchRequest,
  type Logger,
  resolvePluginConfig,
} from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { KIT_TAB, startGsheetKitFixture } from './fake-server/index.js';
import { createGsheetPlugin, gsheetPlugin } from './index.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
type Fixture = Awaited<ReturnType<typeof startGsheetKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function request(overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    mode: 'full',
    batchSize: 40,
    signal: new AbortController().signal,
    options: {},
    logger: quiet,
    ...overrides,
  };
}

describe('gsheet plugin', () => {
  it('defaults to the legacy marketing tabs and takes configured tabs from config', () => {
    expect(gsheetPlugin.entities.map((e) => e.name)).toEqual([
      'marketing_leads',
      'marketing_spends',
    ]);
    const configured = gsheetPlugin.configureEntities?.({
      GSHEET_TABS: JSON.stringify([
        { entity: 'budget', spreadsheetId: 'x', range: 'Budget!A:F', keyColumn: 'Month' },
      ]),
      GSHEET_BASE_URL: '',
      GSHEET_DRIVE_BASE_URL: '',
      GSHEET_TOKEN_URL: '',
      GSHEET_READS_PER_MINUTE: 60,
    });
    expect(configured?.map((e) => [e.name, e.primaryKey, e.delta.kind])).toEqual([
      ['budget', 'month', 'none'],
    ]);
  });

  it('reads the kit tab through its service account, in windows of the batch size', async () => {
    fixture = await startGsheetKitFixture({ size: 100 });
    const plugin = createGsheetPlugin([KIT_TAB]);
    const client = await plugin.createClient({
      config: fixture.config,
      logger: quiet,
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const entity = plugin.entities[0];
    const records = [];
    for await (const page of entity?.fetch(client, request()) ?? []) records.push(...page.records);
    expect(records).toHaveLength(100);
    expect(fixture.requestedPageSizes()).toEqual([40, 40, 40]);
    expect((await plugin.health?.(client, new AbortController().signal))?.ok).toBe(true);
  });

  it('resolves its settings from the environment the way hosts do, then reads', async () => {
    fixture = await startGsheetKitFixture({ size: 10 });
    const env = Object.fromEntries(Object.entries(fixture.config).map(([k, v]) => [k, String(v)]));
    const resolved = resolvePluginConfig(gsheetPlugin, { env });
    expect(resolved).toMatchObject({ configured: true, missing: [], invalid: [] });
    const entities = gsheetPlugin.configureEntities?.(resolved.values as never) ?? [];
    expect(entities.map((e) => e.name)).toEqual(['marketing_leads']);
    const client = await gsheetPlugin.createClient({
      config: resolved.values as never,
      logger: quiet,
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    let n = 0;
    for await (const page of entities[0]?.fetch(client, request()) ?? []) n += page.records.length;
    expect(n).toBe(10);
    expect(resolvePluginConfig(gsheetPlugin, { env: {} }).missing).toEqual([
      'GSHEET_SERVICE_ACCOUNT_JSON',
    ]);
  });

  it('says which credentials are missing', () => {
    expect(() =>
      gsheetPlugin.createClient({
        config: {
          GSHEET_BASE_URL: '',
          GSHEET_DRIVE_BASE_URL: '',
          GSHEET_TOKEN_URL: '',
          GSHEET_READS_PER_MINUTE: 60,
        },
        logger: quiet,
        metrics: createRequestMetrics(),
        signal: new AbortController().signal,
      }),
    ).toThrow(/GSHEET_SERVICE_ACCOUNT_JSON/);
  });
});
