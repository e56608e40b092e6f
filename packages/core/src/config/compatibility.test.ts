import { describe, expect, it } from 'vitest';
import { CrmsyncError } from '../contracts/errors.js';
import { CORE_CONTRACT_VERSION, type CrmPlugin } from '../contracts/plugin.js';
import { checkPluginCompatibility } from './compatibility.js';

const entity = (name: string, dependsOn?: string[]) => ({
  name,
  primaryKey: 'id',
  delta: { kind: 'none' as const },
  fields: { id: { type: 'string' as const } },
  ...(dependsOn && { dependsOn }),
  fetch: async function* () {},
});

function plugin(overrides: Record<string, unknown> = {}): unknown {
  return {
    contractVersion: CORE_CONTRACT_VERSION,
    name: 'hubspot',
    displayName: 'HubSpot',
    kind: 'api',
    config: {},
    entities: [entity('contacts'), entity('deals', ['contacts'])],
    createClient: async () => ({}),
    ...overrides,
  };
}

function refusal(candidate: unknown): string {
  try {
    checkPluginCompatibility(candidate, '@crmsync/plugin-hubspot');
  } catch (error) {
    expect(error).toBeInstanceOf(CrmsyncError);
    expect((error as CrmsyncError).kind).toBe('config');
    return (error as Error).message;
  }
  throw new Error('expected the plugin to be refused');
}

describe('checkPluginCompatibility', () => {
  it('accepts a well-formed plugin for this contract', () => {
    const candidate = plugin();
    checkPluginCompatibility(candidate);
    expect((candidate as CrmPlugin).name).toBe('hubspot');
  });

  it('refuses a plugin built for a newer contract, saying to upgrade core', () => {
    expect(refusal(plugin({ contractVersion: CORE_CONTRACT_VERSION + 1 }))).toBe(
      `plugin hubspot was built for crmsync core contract v${CORE_CONTRACT_VERSION + 1}; this core supports v${CORE_CONTRACT_VERSION} — upgrade @crmsync/core`,
    );
  });

  it('refuses an older contract, saying to upgrade the plugin, and a missing version', () => {
    expect(refusal(plugin({ contractVersion: 0 }))).toContain(
      'upgrade @crmsync/plugin-hubspot to a version built for contract v1',
    );
    expect(refusal(plugin({ contractVersion: undefined }))).toContain(
      'declares no contractVersion',
    );
  });

  it.each([['Hub Spot'], ['hub_spot'], ['HubSpot'], ['']])(
    'refuses the name %j: lowercase, no spaces or underscores',
    (name) => {
      expect(refusal(plugin({ name }))).toContain('must be lowercase');
    },
  );

  it('refuses no entities, a duplicate entity, and a dependency on an unknown entity', () => {
    expect(refusal(plugin({ entities: [] }))).toBe('plugin hubspot has no entities');
    expect(refusal(plugin({ entities: [entity('contacts'), entity('contacts')] }))).toBe(
      'plugin hubspot declares entity contacts twice',
    );
    expect(refusal(plugin({ entities: [entity('deals', ['companies'])] }))).toBe(
      'plugin hubspot: entity deals depends on unknown entity companies',
    );
  });

  it('refuses something that is not a plugin at all', () => {
    expect(refusal(null)).toContain('does not export a crmsync plugin object');
    expect(refusal(plugin({ createClient: undefined }))).toContain('has no createClient()');
  });
});
