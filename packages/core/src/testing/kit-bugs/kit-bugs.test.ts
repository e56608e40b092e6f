import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../http/http-client.js';
import { collectPluginKit, describePluginKit } from '../plugin-kit.js';
import type { PluginKitOptions, PluginKitScenario } from '../plugin-kit-types.js';
import { WIDGETS_MAX_PAGE } from './fake.js';
import { startWidgetsFixture } from './fixture.js';
import { KIT_BUGS, type KitBug, widgetsPlugin } from './plugin.js';

const kitOptions = (bug?: KitBug): PluginKitOptions<HttpClient> => ({
  plugin: widgetsPlugin(bug),
  size: 30,
  setup: ({ size }) => startWidgetsFixture(size),
  entities: { widgets: { maxPageSize: WIDGETS_MAX_PAGE } },
});

/** The scenario that must catch each planted bug. */
const CAUGHT_BY: Record<KitBug, PluginKitScenario> = {
  'ignores-checkpoint': 'resume',
  'drops-end-date': 'end-date',
  'shifts-since': 'boundaries',
  'shifts-since-earlier': 'boundaries',
  'includes-until': 'boundaries',
  'never-soft-deletes': 'deletes',
  'no-cursor-follow': 'cursor',
  'ignores-batch-size': 'batch-size',
  'no-page-size-cap': 'page-size',
  'accepts-wrong-auth': 'auth',
  'misclassifies-auth': 'auth',
  'drops-custom-fields': 'custom-fields',
};

// Waiting out a 429 and retrying 5xx bursts test the HTTP client, which no bug here touches;
// the clean copy's kit below runs them.
const SLOW: ReadonlySet<PluginKitScenario> = new Set(['rate-limit', 'server-errors']);

/** Runs the kit's scenarios against the plugin (with `bug` planted) and names those that fail. */
async function failingScenarios(bug?: KitBug): Promise<PluginKitScenario[]> {
  const { scenarios, cleanup } = collectPluginKit(kitOptions(bug));
  const failed: PluginKitScenario[] = [];
  for (const scenario of scenarios) {
    if (scenario.skip || SLOW.has(scenario.name)) continue;
    try {
      await scenario.body((reason) => {
        throw new Error(`skipped: ${reason}`);
      });
    } catch {
      failed.push(scenario.name);
    } finally {
      await cleanup();
    }
  }
  return failed;
}

describePluginKit(kitOptions());

describe('the plugin kit against planted bugs', () => {
  it('fails no scenario of the clean widgets plugin', async () => {
    expect(await failingScenarios()).toEqual([]);
  });

  for (const bug of KIT_BUGS)
    it(`fails a plugin that ${bug.replaceAll('-', ' ')} in its "${CAUGHT_BY[bug]}" scenario`, async () => {
      expect(await failingScenarios(bug)).toContain(CAUGHT_BY[bug]);
    });
});
