import { afterEach, describe, expect, it } from 'vitest';
import { acmePluginSource, type TestProject, testProject } from '../../test/cli/test-project.js';
import { discoverPlugins } from './discover.js';

// A command that syncs one CRM discovers only that CRM's plugin (issue 28: `crmsync sync`
// loads only its plugin), and falls back to the others, in order, when no package is named for it.
describe('discoverPlugins({ only })', () => {
  let project: TestProject;
  afterEach(() => project.remove());

  // A plugin whose module throws when imported: loading it at all fails the discovery of it.
  const exploding = 'throw new Error("this plugin\'s code was loaded");';

  it("imports only the package named for the CRM, not the other plugins' code", async () => {
    project = testProject('crmsync-discover-only-');
    project.addPackage('@acme/plugin-acme', acmePluginSource(1, 'acme'));
    project.addPackage('crmsync-plugin-other', exploding);
    const found = await discoverPlugins({ cwd: project.dir, only: 'acme' });
    expect(found.plugins.map((p) => p.plugin.name)).toEqual(['acme']);
    expect(found.problems).toEqual([]);
    // without `only`, the other package is imported (and its failure reported)
    const all = await discoverPlugins({ cwd: project.dir });
    expect(all.problems.map((p) => p.source)).toContain('crmsync-plugin-other');
  });

  it('still finds the plugin when no package is named for the CRM', async () => {
    project = testProject('crmsync-discover-only-');
    project.addPackage('acme-connector', acmePluginSource(1, 'acme'));
    const found = await discoverPlugins({ cwd: project.dir, only: 'acme' });
    expect(found.plugins.map((p) => p.plugin.name)).toContain('acme');
    expect(found.plugins.find((p) => p.plugin.name === 'acme')?.source).toBe('acme-connector');
  });
});
