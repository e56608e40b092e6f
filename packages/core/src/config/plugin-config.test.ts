import { describe, expect, it } from 'vitest';
import type { ConfigSpec } from '../contracts/plugin.js';
import {
  describeMissingConfig,
  publicConfig,
  resolvePluginConfig,
  secretValues,
} from './plugin-config.js';

/** HubSpot-like: a private-app token OR an OAuth client, plus plain settings. */
const plugin: { config: ConfigSpec } = {
  config: {
    accessToken: {
      env: 'HUBSPOT_ACCESS_TOKEN',
      description: 'private app token',
      secret: true,
      required: true,
      group: 'private-app',
    },
    clientId: { env: 'HUBSPOT_CLIENT_ID', description: 'x', required: true, group: 'oauth' },
    clientSecret: {
      env: 'HUBSPOT_CLIENT_SECRET',
      description: 'x',
      secret: true,
      required: true,
      group: 'oauth',
    },
    refreshToken: {
      env: 'HUBSPOT_REFRESH_TOKEN',
      description: 'x',
      secret: true,
      required: true,
      group: 'oauth',
    },
    portalId: { env: 'HUBSPOT_PORTAL_ID', description: 'x', type: 'integer', required: true },
    baseUrl: {
      env: 'HUBSPOT_BASE_URL',
      description: 'x',
      type: 'url',
      default: 'https://api.hubapi.com',
    },
    archived: { env: 'HUBSPOT_ARCHIVED', description: 'x', type: 'boolean', default: false },
    extra: { env: 'HUBSPOT_EXTRA', description: 'x', type: 'json' },
  },
};

describe('resolvePluginConfig', () => {
  it('reads typed values from the environment, applying defaults', () => {
    const resolved = resolvePluginConfig(plugin, {
      env: {
        HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret',
        HUBSPOT_PORTAL_ID: '12345',
        HUBSPOT_ARCHIVED: 'yes',
        HUBSPOT_EXTRA: '{"a":[1]}',
      },
    });
    expect(resolved).toEqual({
      values: {
        accessToken: 'pat-na1-secret',
        portalId: 12345,
        baseUrl: 'https://api.hubapi.com',
        archived: true,
        extra: { a: [1] },
      },
      configured: true,
      missing: [],
      invalid: [],
    });
  });

  it('lets the environment win over the config file, and takes the file otherwise', () => {
    const resolved = resolvePluginConfig(plugin, {
      env: { HUBSPOT_PORTAL_ID: '7', HUBSPOT_BASE_URL: '' },
      file: { portalId: 9, accessToken: 'from-file-token', baseUrl: 'http://127.0.0.1:9/' },
    });
    expect(resolved.values.portalId).toBe(7);
    expect(resolved.values.accessToken).toBe('from-file-token');
    expect(resolved.values.baseUrl).toBe('http://127.0.0.1:9');
    expect(resolved.configured).toBe(true);
  });

  it('is configured by any one complete credential group', () => {
    const resolved = resolvePluginConfig(plugin, {
      env: {
        HUBSPOT_CLIENT_ID: 'id',
        HUBSPOT_CLIENT_SECRET: 'cs-secret',
        HUBSPOT_REFRESH_TOKEN: 'rt-secret',
        HUBSPOT_PORTAL_ID: '1',
      },
    });
    expect(resolved.configured).toBe(true);
    expect(resolved.missing).toEqual([]);
  });

  it('names the env vars still to set: the plain ones and the closest group', () => {
    const nothing = resolvePluginConfig(plugin, { env: {} });
    expect(nothing.configured).toBe(false);
    expect(nothing.missing).toEqual(['HUBSPOT_PORTAL_ID', 'HUBSPOT_ACCESS_TOKEN']);
    const halfOauth = resolvePluginConfig(plugin, {
      env: { HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'cs', HUBSPOT_PORTAL_ID: '1' },
    });
    expect(halfOauth.missing).toEqual(['HUBSPOT_ACCESS_TOKEN']);
    expect(describeMissingConfig('hubspot', nothing)).toBe(
      'hubspot is not configured: set HUBSPOT_PORTAL_ID, HUBSPOT_ACCESS_TOKEN',
    );
  });

  it('reports malformed settings by env var and expectation, never by value', () => {
    const resolved = resolvePluginConfig(plugin, {
      env: {
        HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret',
        HUBSPOT_PORTAL_ID: 'twelve',
        HUBSPOT_BASE_URL: 'not a url',
        HUBSPOT_ARCHIVED: 'perhaps',
        HUBSPOT_EXTRA: '{oops',
      },
    });
    expect(resolved.configured).toBe(false);
    expect(resolved.invalid).toEqual([
      { env: 'HUBSPOT_PORTAL_ID', expected: 'a whole number' },
      { env: 'HUBSPOT_BASE_URL', expected: 'a URL such as https://api.example.com' },
      { env: 'HUBSPOT_ARCHIVED', expected: 'true or false' },
      { env: 'HUBSPOT_EXTRA', expected: 'valid JSON' },
    ]);
    expect(resolved.missing).toEqual(['HUBSPOT_PORTAL_ID']);
    const text = describeMissingConfig('hubspot', resolved);
    expect(text).toContain('HUBSPOT_PORTAL_ID is malformed: expected a whole number');
    expect(text).not.toContain('twelve');
    expect(JSON.stringify({ ...resolved, values: undefined })).not.toContain('pat-na1-secret');
  });
});

describe('secretValues and publicConfig', () => {
  const values = {
    accessToken: 'pat-na1-secret',
    clientSecret: 'cs-secret',
    portalId: 12345,
    baseUrl: 'https://api.hubapi.com',
  };

  it('lists the secret values, for log redaction', () => {
    expect(secretValues(plugin, values).sort()).toEqual(['cs-secret', 'pat-na1-secret']);
    expect(secretValues(plugin, { portalId: 1 })).toEqual([]);
  });

  it('masks every secret and keeps the rest', () => {
    const shown = publicConfig(plugin, values);
    expect(shown).toEqual({
      accessToken: '***',
      clientSecret: '***',
      portalId: 12345,
      baseUrl: 'https://api.hubapi.com',
    });
    expect(JSON.stringify(shown)).not.toMatch(/pat-na1-secret|cs-secret/);
  });
});
