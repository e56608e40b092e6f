import { afterEach, describe, it } from 'vitest';
import type { CrmPlugin, EntityDefinition } from '../contracts/plugin.js';
import { describeBasicScenarios } from './plugin-kit-basic.js';
import { createKitContext, type KitRegistrar, type KitScenario } from './plugin-kit-context.js';
import { describeStrictScenarios } from './plugin-kit-strict.js';
import type { PluginKitOptions } from './plugin-kit-types.js';

/** What makes two entities the same case for the kit: how changes and removals are found. */
function signalOf(definition: EntityDefinition): string {
  return [
    definition.delta.kind,
    definition.fullReadDetectsDeletes && 'full-read deletes',
    definition.groupedBy && 'grouped',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The standard scenarios every plugin passes against its fake server (or seeded database),
 * for every entity (or one entity per delta kind): full, cursor followed to the end, delta,
 * force, full keeping newer rows, dry run, max records, batch size and its cap, start date,
 * end date, records on the since/until bounds, resume from a checkpoint, deletions, custom
 * fields, wrong credentials, 429 and 5xx recovery, bad records, exact history rows.
 *
 * @example
 * describePluginKit({ plugin: hubspotPlugin, setup: ({ entity, size }) => startFakeHubspot({ entity, counts: { [entity]: size } }) });
 */
export function describePluginKit<Client>(options: PluginKitOptions<Client>): void {
  const vitest: KitRegistrar = {
    add(s) {
      const title = `[${s.name}] ${s.title}`;
      if (s.wholeEntity) it.skip(`not run — ${s.skip}`, () => {});
      else if (s.skip) it.skip(`${title} — not supported: ${s.skip}`, () => {});
      else it(title, (context) => s.body((reason) => context.skip(reason) as never), 60_000);
    },
    afterEach,
  };
  declareEntities(options, vitest, (title, body) => describe(title, body));
}

/**
 * The kit's scenarios as a list instead of tests, fixtures closed after each: for the kit's
 * own tests, which run it against plugins with planted bugs.
 */
export function collectPluginKit<Client>(options: PluginKitOptions<Client>): {
  scenarios: KitScenario[];
  cleanup(): Promise<void>;
} {
  const scenarios: KitScenario[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const registrar: KitRegistrar = {
    add: (s) => scenarios.push(s),
    afterEach: (cleanup) => cleanups.push(cleanup),
  };
  declareEntities(options, registrar, (_title, body) => body());
  return {
    scenarios,
    cleanup: async () => {
      for (const c of cleanups) await c();
    },
  };
}

function declareEntities<Client>(
  options: PluginKitOptions<Client>,
  registrar: KitRegistrar,
  group: (title: string, body: () => void) => void,
): void {
  const plugin = options.plugin as CrmPlugin;
  const names = new Set(plugin.entities.map((e) => e.name));
  for (const name of Object.keys(options.entities ?? {}))
    if (!names.has(name))
      throw new Error(
        `plugin kit: ${plugin.name} has no entity "${name}" (expected one of ${[...names].join(', ')})`,
      );
  const covered = new Map<string, string>();
  for (const definition of plugin.entities) {
    const own = options.entities?.[definition.name] ?? {};
    const signal = signalOf(definition);
    const first = options.coverage === 'every-delta-kind' ? covered.get(signal) : undefined;
    const skip = own.skip ?? (first && `covered by ${first} (same delta kind: ${signal})`);
    const title = `plugin kit: ${plugin.name} ${definition.name}`;
    if (skip) {
      group(title, () =>
        registrar.add({
          entity: definition.name,
          name: 'full',
          title: 'not run',
          wholeEntity: true,
          skip,
          body: async () => {},
        }),
      );
      continue;
    }
    covered.set(signal, definition.name);
    group(title, () => {
      const kit = createKitContext(options, definition, own, registrar);
      describeBasicScenarios(kit);
      describeStrictScenarios(kit);
    });
  }
}
