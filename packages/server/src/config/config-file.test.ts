import path from 'node:path';
import { CrmsyncError } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCrmsync } from '../app.js';
import { acmePluginSource, runCli, type TestProject, testProject } from '../cli/test-project.js';
import { loadConfigFile } from './config-file.js';

describe('crmsync.config.{ts,mjs,js,json}', () => {
  let project: TestProject;
  afterEach(() => project.remove());

  it('no file: nothing loaded, nothing disabled', async () => {
    project = testProject('crmsync-config-');
    expect(await loadConfigFile(project.dir)).toEqual({
      path: null,
      load: [],
      disable: [],
      plugins: {},
    });
  });

  it('reads JSON: database, per-plugin config and options, enabled:false disables', async () => {
    project = testProject('crmsync-config-');
    const file = project.write(
      'crmsync.config.json',
      JSON.stringify({
        database: 'file:./from-config.db',
        plugins: {
          acme: { config: { token: 'file-token-123' }, options: { shade: 'blue' } },
          genius: { enabled: false },
        },
        disable: ['gsheet'],
        load: ['./plugins/extra.js'],
      }),
    );
    const loaded = await loadConfigFile(project.dir);
    expect(loaded).toMatchObject({
      path: file,
      database: 'file:./from-config.db',
      load: ['./plugins/extra.js'],
      disable: ['gsheet', 'genius'],
    });
    expect(loaded.plugins.acme?.options).toEqual({ shade: 'blue' });
  });

  it('reads an ES module config with a list of plugin modules, and a .ts one through tsx', async () => {
    project = testProject('crmsync-config-');
    project.write(
      'crmsync.config.mjs',
      "export default { plugins: ['./local.js', 'some-package'], disable: ['faker'] };",
    );
    expect(await loadConfigFile(project.dir)).toMatchObject({
      load: ['./local.js', 'some-package'],
      disable: ['faker'],
    });
    project.write(
      'crmsync.config.ts',
      "const database: string = 'file:./typed.db';\nexport default { database };\n",
    );
    // .ts is looked for first
    expect((await loadConfigFile(project.dir)).database).toBe('file:./typed.db');
  });

  it('names the bad field of a malformed config, and a missing --config file', async () => {
    project = testProject('crmsync-config-');
    project.write('crmsync.config.json', JSON.stringify({ plugins: { acme: { config: 3 } } }));
    const error = await loadConfigFile(project.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmsyncError);
    expect((error as Error).message).toMatch(/crmsync\.config\.json: plugins\.acme\.config: /);
    await expect(loadConfigFile(project.dir, 'nope.json')).rejects.toThrow(
      `config file ${path.join(project.dir, 'nope.json')} does not exist`,
    );
    project.write('broken.json', '{ not json');
    await expect(loadConfigFile(project.dir, 'broken.json')).rejects.toThrow(
      /broken\.json could not be read/,
    );
    const cli = await runCli(['--cwd', project.dir, 'list']);
    expect(cli.code).toBe(2);
    expect(cli.err).toMatch(/plugins\.acme\.config/);
  });

  it('configures a plugin from the file (env still wins), with default options and a database', async () => {
    project = testProject('crmsync-config-');
    project.addPackage('crmsync-plugin-acme', acmePluginSource());
    project.write('plugins/extra.js', acmePluginSource(1, 'extra'));
    project.write(
      'crmsync.config.js',
      `export default {
        database: 'file:./from-config.db',
        load: ['./plugins/extra.js'],
        disable: ['genius'],
        plugins: { acme: { config: { token: 'file-token-123', port: 8080 }, options: { shade: 'blue' } } },
      };`,
    );
    const app = await createCrmsync({ cwd: project.dir, env: { ACME_PORT: '9090' } });
    try {
      const acme = app.plugin('acme');
      expect(acme.configured).toBe(true);
      expect(acme.config).toMatchObject({ token: 'file-token-123', port: 9090 });
      expect(app.plugins.map((p) => p.plugin.name)).toContain('extra');
      expect(app.plugins.map((p) => p.plugin.name)).not.toContain('genius');
      const [run] = await app.sync('acme', 'beta');
      expect(run?.status).toBe('success');
      expect((await app.store.getRecord('acme', 'beta', 'b1'))?.data.shade).toBe('blue');
      // a flag given for the run beats the file's default
      const typed = app.syncs.parse({
        crm: 'acme',
        entity: 'beta',
        pluginOptions: { shade: 'red' },
      }).options;
      expect(typed.pluginOptions).toEqual({ shade: 'red' });
      expect(app.secrets()).toContain('file-token-123');
    } finally {
      await app.close();
    }
    const runs = await runCli(
      ['--cwd', project.dir, '--database', 'file:./from-config.db', 'history', '--json'],
      {},
    );
    expect(JSON.parse(runs.out)).toHaveLength(1);
  });
});
