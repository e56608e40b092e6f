import { CrmsyncError } from '../contracts/errors.js';
import {
  CORE_CONTRACT_VERSION,
  type CrmPlugin,
  SUPPORTED_CONTRACT_VERSIONS,
} from '../contracts/plugin.js';

/**
 * Refuses a plugin built for a contract this core does not run, or one whose shape is wrong,
 * with a message that says what to do.
 */
export function checkPluginCompatibility(
  plugin: unknown,
  source = 'a plugin',
): asserts plugin is CrmPlugin {
  const p = plugin as Partial<CrmPlugin> | null;
  if (!p || typeof p !== 'object')
    throw new CrmsyncError('config', `${source} does not export a crmsync plugin object`);
  const name = typeof p.name === 'string' ? p.name : source;
  if (typeof p.contractVersion !== 'number') {
    throw new CrmsyncError(
      'config',
      `plugin ${name} declares no contractVersion; it was not built for crmsync core`,
    );
  }
  if (!SUPPORTED_CONTRACT_VERSIONS.includes(p.contractVersion)) {
    const advice =
      p.contractVersion > CORE_CONTRACT_VERSION
        ? 'upgrade @crmsync/core'
        : `upgrade ${source} to a version built for contract v${CORE_CONTRACT_VERSION}`;
    throw new CrmsyncError(
      'config',
      `plugin ${name} was built for crmsync core contract v${p.contractVersion}; this core supports v${SUPPORTED_CONTRACT_VERSIONS.join(', v')} — ${advice}`,
    );
  }
  if (typeof p.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.name)) {
    throw new CrmsyncError(
      'config',
      `${source}: plugin name ${JSON.stringify(p.name)} must be lowercase letters and digits (no spaces or underscores)`,
    );
  }
  if (!Array.isArray(p.entities) || p.entities.length === 0)
    throw new CrmsyncError('config', `plugin ${name} has no entities`);
  const names = new Set<string>();
  for (const e of p.entities) {
    if (names.has(e.name))
      throw new CrmsyncError('config', `plugin ${name} declares entity ${e.name} twice`);
    names.add(e.name);
  }
  for (const e of p.entities) {
    for (const dep of e.dependsOn ?? []) {
      if (!names.has(dep))
        throw new CrmsyncError(
          'config',
          `plugin ${name}: entity ${e.name} depends on unknown entity ${dep}`,
        );
    }
  }
  if (typeof p.createClient !== 'function')
    throw new CrmsyncError('config', `plugin ${name} has no createClient()`);
}
