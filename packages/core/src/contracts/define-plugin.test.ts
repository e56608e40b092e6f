import { describe, expect, expectTypeOf, it } from 'vitest';
import { resolvePluginConfig } from '../config/plugin-config.js';
import { silentLogger } from '../logging/logger.js';
import { defineCrmPlugin } from './define-plugin.js';
import { CrmsyncError } from './errors.js';
import { createRequestMetrics } from './metrics.js';
import { defineEntity } from './plugin.js';

const rows = (fail?: Error) =>
  defineEntity<{ token: string }, { id: string }>({
    name: 'rows',
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields: { id: { type: 'string' } },
    async *fetch(client, request) {
      if (fail) throw fail;
      yield { records: [{ id: `${client.token}-${request.batchSize}` }] };
    },
  });

const acme = (entity = rows()) =>
  defineCrmPlugin({
    name: 'acme',
    displayName: 'Acme',
    kind: 'api',
    config: {
      ACME_TOKEN: { type: 'secret', required: true, description: 'API token' },
      ACME_PAGE: { type: 'integer', default: 50, description: 'Page size' },
      ACME_LEGACY: { type: 'boolean', env: 'ACME_OLD_FLAG', description: 'Legacy mode' },
    },
    entities: [entity],
    createClient: ({ config }) => {
      expectTypeOf(config.ACME_TOKEN).toEqualTypeOf<string>();
      expectTypeOf(config.ACME_PAGE).toEqualTypeOf<number>();
      expectTypeOf(config.ACME_LEGACY).toEqualTypeOf<boolean | undefined>();
      return { token: `${config.ACME_TOKEN}:${config.ACME_PAGE}:${config.ACME_LEGACY ?? '-'}` };
    },
  });

const context = (config: Record<string, unknown>) => ({
  config: config as never,
  logger: silentLogger(),
  metrics: createRequestMetrics(),
  signal: AbortSignal.timeout(5_000),
});

describe('defineCrmPlugin', () => {
  it('names each setting by its key unless it gives an env var, and marks secrets', () => {
    const plugin = acme();
    expect(plugin.contractVersion).toBe(1);
    expect(plugin.config).toEqual({
      ACME_TOKEN: { env: 'ACME_TOKEN', secret: true, required: true, description: 'API token' },
      ACME_PAGE: { env: 'ACME_PAGE', type: 'integer', default: 50, description: 'Page size' },
      ACME_LEGACY: { env: 'ACME_OLD_FLAG', type: 'boolean', description: 'Legacy mode' },
    });
    const resolved = resolvePluginConfig(plugin, {
      env: { ACME_TOKEN: 't', ACME_OLD_FLAG: 'yes' },
    });
    expect(resolved.values).toEqual({ ACME_TOKEN: 't', ACME_PAGE: 50, ACME_LEGACY: true });
  });

  it('gives createClient its defaults, and refuses to build one without a required setting', async () => {
    expect(await acme().createClient(context({ ACME_TOKEN: 't' }))).toEqual({ token: 't:50:-' });
    const missing = await Promise.resolve()
      .then(() => acme().createClient(context({ ACME_PAGE: 10 })))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CrmsyncError);
    expect(missing).toMatchObject({
      kind: 'config',
      message: 'acme is not configured: set ACME_TOKEN',
    });
  });

  it('probes health by reading one record of an entity, and reports its error', async () => {
    const healthy = acme();
    const client = await healthy.createClient(context({ ACME_TOKEN: 't' }));
    expect(await healthy.health?.(client, AbortSignal.timeout(1_000))).toMatchObject({ ok: true });
    const down = acme(rows(new CrmsyncError('transient', 'acme answered 503')));
    expect(await down.health?.(client, AbortSignal.timeout(1_000))).toMatchObject({
      ok: false,
      message: 'acme answered 503',
    });
  });
});
