import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-project.js';

const serverDir = fileURLToPath(new URL('../../../', import.meta.url));
const buildTemplate = path.join(serverDir, 'scripts/build-template.mjs');
const templateDir = path.join(serverDir, 'templates/plugin');
const templateFiles = (dir: string, rel = ''): string[] =>
  readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? templateFiles(dir, path.join(rel, e.name)) : [path.join(rel, e.name)],
  );
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A minimal pnpm workspace in a temporary folder; `core` makes it look like crmsync's own. */
function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-new-'));
  temps.push(dir);
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'ws', private: true, type: 'module' }),
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');

// The generated plugin's own kit test, collected here unchanged: it must pass as generated.
const kitWorkspace = workspace({ 'tsconfig.base.json': '{ "compilerOptions": {} }' });
const kitRun = await runCli(['--cwd', kitWorkspace, 'new', 'plugin', 'kitcheck']);
const kitPlugin = path.join(kitWorkspace, 'packages/plugin-kitcheck');
await import(path.join(kitPlugin, 'src/plugin.test.ts'));

describe('crmsync new plugin <name>', () => {
  it('creates packages/plugin-<name> at a workspace root, every Acme name replaced by its own', () => {
    expect(kitRun).toMatchObject({ code: 0, err: '' });
    expect(kitRun.out).toContain('created packages/plugin-kitcheck (@crmsync/plugin-kitcheck)');
    const manifest = JSON.parse(read(kitPlugin, 'package.json'));
    expect(manifest).toMatchObject({
      name: '@crmsync/plugin-kitcheck',
      version: '0.1.0',
      crmsync: { plugin: './dist/index.js' },
      dependencies: { '@crmsync/core': expect.stringMatching(/^\^\d+\.\d+\.\d+$/) },
      devDependencies: { vitest: expect.any(String), typescript: expect.any(String) },
    });
    expect(manifest.private).toBeUndefined();
    const index = read(kitPlugin, 'src/index.ts');
    expect(index).toContain("name: 'kitcheck'");
    expect(index).toContain("displayName: 'Kitcheck'");
    expect(index).toContain('KITCHECK_API_TOKEN');
    expect(index).toContain('KITCHECK_BASE_URL');
    // Every other file is the template's with its placeholders filled in, whatever the example
    // it was generated from holds.
    const filled = {
      '{{name}}': 'kitcheck',
      '{{Name}}': 'Kitcheck',
      '{{NAME}}': 'KITCHECK',
      '{{displayName}}': 'Kitcheck',
      '{{packageName}}': '@crmsync/plugin-kitcheck',
    };
    const sources = templateFiles(templateDir).filter((f) => /\.(ts|md)\.tmpl$/.test(f));
    expect(sources).toEqual(
      expect.arrayContaining(['src/index.ts.tmpl', 'src/plugin.test.ts.tmpl']),
    );
    for (const file of sources) {
      const expected = Object.entries(filled).reduce(
        (text, [from, to]) => text.replaceAll(from, to),
        read(templateDir, file),
      );
      expect(read(kitPlugin, file.slice(0, -'.tmpl'.length)), file).toBe(expected);
    }
    for (const file of templateFiles(kitPlugin))
      expect(read(kitPlugin, file), file).not.toMatch(/acme|\{\{/i);
    // not crmsync's own workspace: the plugin carries its own compiler options
    expect(JSON.parse(read(kitPlugin, 'tsconfig.json')).extends).toBe('./tsconfig.base.json');
    expect(existsSync(path.join(kitPlugin, 'tsconfig.base.json'))).toBe(true);
  });

  it("inside crmsync's own workspace depends on the workspace's core and shares its tsconfig", async () => {
    const dir = workspace({
      'tsconfig.base.json': '{}',
      'packages/core/package.json': JSON.stringify({ name: '@crmsync/core' }),
    });
    const run = await runCli([
      '--cwd',
      dir,
      'new',
      'plugin',
      'zoho2',
      '--scope',
      '@acme',
      '--display-name',
      'Zoho CRM',
    ]);
    expect(run.code).toBe(0);
    const plugin = path.join(dir, 'packages/plugin-zoho2');
    expect(JSON.parse(read(plugin, 'package.json'))).toMatchObject({
      name: '@acme/plugin-zoho2',
      dependencies: { '@crmsync/core': 'workspace:^' },
    });
    expect(JSON.parse(read(plugin, 'package.json')).devDependencies).toBeUndefined();
    expect(JSON.parse(read(plugin, 'tsconfig.json')).extends).toBe('../../tsconfig.base.json');
    expect(existsSync(path.join(plugin, 'tsconfig.base.json'))).toBe(false);
    expect(read(plugin, 'src/index.ts')).toContain("displayName: 'Zoho CRM'");
  });

  it('outside a workspace creates ./plugin-<name>, or in --dir, and says how crmsync will find it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crmsync-new-'));
    temps.push(dir);
    const here = await runCli(['--cwd', dir, 'new', 'plugin', 'close']);
    expect(here.code).toBe(0);
    expect(existsSync(path.join(dir, 'plugin-close/src/entities/leads.ts'))).toBe(true);
    expect(here.out).toContain('cd plugin-close && pnpm install && pnpm test');
    expect(here.out).toContain('in your crmsync project: pnpm add ./plugin-close');
    const there = await runCli(['--cwd', dir, 'new', 'plugin', 'copper', '--dir', 'crms']);
    expect(there.code).toBe(0);
    expect(existsSync(path.join(dir, 'crms/plugin-copper/package.json'))).toBe(true);
    const ws = workspace();
    const excluded = await runCli(['--cwd', ws, 'new', 'plugin', 'copper', '--dir', 'tools']);
    expect(excluded.out).toContain(
      `tools/plugin-copper is not one of the packages of the workspace at ${ws}`,
    );
  });

  it('refuses a name that is not lowercase letters and digits, naming the argument', async () => {
    const dir = workspace();
    for (const name of ['Pipedrive', 'pipe_drive', 'pipe-drive', '9lives', 'zoho crm']) {
      const run = await runCli(['--cwd', dir, 'new', 'plugin', name]);
      expect(run.code, name).toBe(2);
      expect(run.err).toContain(`Invalid plugin name: expected lowercase letters and digits`);
      expect(run.err).toContain(JSON.stringify(name));
    }
    const quote = await runCli(['--cwd', dir, 'new', 'plugin', 'ok', '--display-name', "O'Neil"]);
    expect(quote.err).toContain('Invalid --display-name');
    expect(existsSync(path.join(dir, 'packages'))).toBe(false);
  });

  it('refuses a folder that exists and leaves it as it was', async () => {
    const dir = workspace({ 'packages/plugin-taken/README.md': 'mine' });
    const run = await runCli(['--cwd', dir, 'new', 'plugin', 'taken']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('plugin name taken: packages/plugin-taken already exists');
    expect(read(path.join(dir, 'packages/plugin-taken'), 'README.md')).toBe('mine');
    expect(existsSync(path.join(dir, 'packages/plugin-taken/package.json'))).toBe(false);
  });
});

describe('the shipped plugin template', () => {
  it('is examples/custom-plugin with its names as placeholders (build-template --check)', () => {
    const check = spawnSync(process.execPath, [buildTemplate, '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('is reported stale, file by file, when the example changes', () => {
    const example = mkdtempSync(path.join(tmpdir(), 'crmsync-example-'));
    temps.push(example);
    cpSync(path.join(serverDir, '../../examples/custom-plugin'), example, {
      recursive: true,
      filter: (src) => !src.includes('node_modules') && !src.includes(`${path.sep}dist`),
    });
    writeFileSync(path.join(example, 'src/client.ts'), '// rewritten\n');
    const check = spawnSync(process.execPath, [buildTemplate, '--check', '--example', example], {
      encoding: 'utf8',
    });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('differs from');
    expect(check.stderr).toContain('src/client.ts.tmpl');
    expect(check.stderr).not.toContain('src/index.ts.tmpl');
  });
});
