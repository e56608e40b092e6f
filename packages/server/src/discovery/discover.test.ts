import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acmePluginSource, type TestProject, testProject } from '../cli/test-project.js';
import { discoverPlugins } from './discover.js';

describe('discoverPlugins', () => {
  let project: TestProject;
  afterEach(() => project.remove());

  const names = (r: Awaited<ReturnType<typeof discoverPlugins>>) =>
    r.plugins.map((p) => p.plugin.name);

  it('finds packages with a crmsync key, scoped or not, and skips packages without one', async () => {
    project = testProject('crmsync-discover-');
    project.addPackage('@acme/crmsync-acme', acmePluginSource(1, 'acme'));
    project.addPackage('crmsync-plugin-zeta', acmePluginSource(1, 'zeta'));
    project.addPackage('left-pad', 'export default { contractVersion: 1, name: "pad" };', {
      crmsync: undefined,
    });
    const found = await discoverPlugins({ cwd: project.dir });
    expect(names(found)).toEqual(expect.arrayContaining(['acme', 'zeta']));
    expect(names(found)).not.toContain('pad');
    expect(found.plugins.find((p) => p.plugin.name === 'acme')?.source).toBe('@acme/crmsync-acme');
    // crmsync's own installation is searched too: the workspace's plugins are found
    expect(names(found)).toContain('faker');
    expect(found.problems).toEqual([]);
  });

  it('follows pnpm symlinks and loads a package reached twice only once', async () => {
    project = testProject('crmsync-discover-');
    const real = project.addPackage(
      '.pnpm/crmsync-plugin-linked@1.0.0/node_modules/crmsync-plugin-linked',
      acmePluginSource(1, 'linked'),
      { name: 'crmsync-plugin-linked' },
    );
    symlinkSync(real, path.join(project.dir, 'node_modules', 'crmsync-plugin-linked'), 'dir');
    mkdirSync(path.join(project.dir, 'node_modules', '@scope'), { recursive: true });
    symlinkSync(real, path.join(project.dir, 'node_modules', '@scope', 'again'), 'dir');
    const found = await discoverPlugins({ cwd: project.dir });
    expect(names(found).filter((n) => n === 'linked')).toHaveLength(1);
    expect(found.problems).toEqual([]);
  });

  it('takes a named export when there is no default, and file: dependencies of the project', async () => {
    project = testProject('crmsync-discover-');
    project.addPackage(
      'crmsync-plugin-named',
      acmePluginSource(1, 'named').replace('export default plugin;', ''),
    );
    project.write(
      'vendor/own-plugin/package.json',
      JSON.stringify({ name: 'own-plugin', type: 'module', crmsync: { plugin: './plugin.js' } }),
    );
    project.write('vendor/own-plugin/plugin.js', acmePluginSource(1, 'own'));
    project.write(
      'package.json',
      JSON.stringify({
        name: 'p',
        type: 'module',
        dependencies: { 'own-plugin': 'file:vendor/own-plugin' },
      }),
    );
    const found = await discoverPlugins({ cwd: project.dir });
    expect(names(found)).toEqual(expect.arrayContaining(['named', 'own']));
  });

  it('refuses a plugin built for another core contract, and a broken module, with a reason', async () => {
    project = testProject('crmsync-discover-');
    project.addPackage('crmsync-plugin-future', acmePluginSource(2, 'future'));
    project.addPackage('crmsync-plugin-ancient', acmePluginSource(0, 'ancient'));
    project.addPackage('crmsync-plugin-broken', 'throw new Error("boom at import");');
    project.addPackage('crmsync-plugin-acme', acmePluginSource(1, 'acme'));
    const found = await discoverPlugins({ cwd: project.dir });
    expect(names(found)).toContain('acme');
    expect(names(found)).not.toContain('future');
    expect(names(found)).not.toContain('ancient');
    expect(found.problems).toEqual(
      expect.arrayContaining([
        {
          source: 'crmsync-plugin-future',
          message:
            'plugin future was built for crmsync core contract v2; this core supports v1 — upgrade @crmsync/core',
        },
        {
          source: 'crmsync-plugin-ancient',
          message:
            'plugin ancient was built for crmsync core contract v0; this core supports v1 — upgrade crmsync-plugin-ancient to a version built for contract v1',
        },
        {
          source: 'crmsync-plugin-broken',
          message: 'crmsync-plugin-broken could not be loaded: boom at import',
        },
      ]),
    );
  });

  it('loads modules a config names by path, disables by name, and keeps the first of a name', async () => {
    project = testProject('crmsync-discover-');
    project.addPackage('crmsync-plugin-acme', acmePluginSource(1, 'acme'));
    project.addPackage('crmsync-plugin-acme-copy', acmePluginSource(1, 'acme'));
    project.write('plugins/local.js', acmePluginSource(1, 'local'));
    const found = await discoverPlugins({
      cwd: project.dir,
      load: ['./plugins/local.js'],
      disable: ['faker'],
    });
    expect(names(found)).toContain('local');
    expect(names(found)).not.toContain('faker');
    expect(names(found).filter((n) => n === 'acme')).toHaveLength(1);
    expect(found.plugins.find((p) => p.plugin.name === 'local')?.source).toBe('./plugins/local.js');
  });
});

describe('discoverPlugins in a workspace', () => {
  let project: TestProject;
  afterEach(() => project.remove());

  const names = (r: Awaited<ReturnType<typeof discoverPlugins>>) =>
    r.plugins.map((p) => p.plugin.name);
  /** A workspace package declaring a plugin, built (dist/index.js written) or not. */
  const workspacePlugin = (
    dir: string,
    name: string,
    built: boolean,
    manifest: Record<string, unknown> = {},
  ) => {
    project.write(
      `${dir}/package.json`,
      JSON.stringify({
        name: `@ws/${name}`,
        type: 'module',
        crmsync: { plugin: './dist/index.js' },
        ...manifest,
      }),
    );
    if (built) project.write(`${dir}/dist/index.js`, acmePluginSource(1, name));
  };

  it("finds the workspace's built plugins from any folder in it, with no root dependency", async () => {
    project = testProject('crmsync-discover-');
    project.write('pnpm-workspace.yaml', "packages:\n  - 'packages/*'\n  - '!packages/skipped'\n");
    workspacePlugin('packages/plugin-pipedrive', 'pipedrive', true);
    workspacePlugin('packages/skipped', 'skipped', true);
    workspacePlugin('elsewhere/plugin-outside', 'outside', true);
    project.write('packages/app/package.json', JSON.stringify({ name: 'app' }));
    for (const cwd of [project.dir, path.join(project.dir, 'packages/app')]) {
      const found = await discoverPlugins({ cwd });
      expect(names(found)).toContain('pipedrive');
      expect(names(found)).not.toContain('skipped');
      expect(names(found)).not.toContain('outside');
      expect(found.plugins.find((p) => p.plugin.name === 'pipedrive')?.source).toBe(
        '@ws/pipedrive',
      );
      expect(found.problems).toEqual([]);
    }
  });

  it('reports a workspace plugin that is not built with the command that builds it; a private one stays quiet', async () => {
    project = testProject('crmsync-discover-');
    project.write(
      'package.json',
      JSON.stringify({ name: 'ws', private: true, workspaces: ['plugins/**'] }),
    );
    workspacePlugin('plugins/crm/plugin-copper', 'copper', false);
    workspacePlugin('plugins/example', 'example', false, { private: true });
    const found = await discoverPlugins({ cwd: project.dir });
    expect(names(found)).not.toContain('copper');
    expect(found.problems).toEqual([
      {
        source: '@ws/copper',
        message: `@ws/copper (${path.join('plugins', 'crm', 'plugin-copper')}) is a plugin of this workspace that is not built yet: ./dist/index.js is missing; run pnpm --filter @ws/copper build`,
      },
    ]);
  });

  it('loads a package folder a config names, by its crmsync key', async () => {
    project = testProject('crmsync-discover-');
    project.write(
      '../crmsync-discover-vendor/package.json',
      JSON.stringify({ name: 'vendored', type: 'module', crmsync: { plugin: './lib/plugin.js' } }),
    );
    const vendor = project.write(
      '../crmsync-discover-vendor/lib/plugin.js',
      acmePluginSource(1, 'vendored'),
    );
    try {
      const found = await discoverPlugins({
        cwd: project.dir,
        load: ['../crmsync-discover-vendor'],
      });
      expect(names(found)).toContain('vendored');
      expect(found.problems).toEqual([]);
    } finally {
      rmSync(path.dirname(path.dirname(vendor)), { recursive: true, force: true });
    }
  });
});
