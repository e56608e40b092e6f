import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../src/cli/program.js';

/**
 * A throwaway project folder for CLI and discovery tests: its own `package.json`, a
 * `node_modules` holding plugin packages written here (plain JavaScript, as an npm user would
 * install them), and an embedded SQLite database under `./.crmsync/`.
 */
export interface TestProject {
  dir: string;
  /** Writes `node_modules/<name>/` with a package.json carrying `crmsync.plugin` and `source`. */
  addPackage(name: string, source: string, manifest?: Record<string, unknown>): string;
  write(file: string, text: string): string;
  remove(): void;
}

export function testProject(prefix = 'crmsync-cli-'): TestProject {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'test-project', private: true, type: 'module' }),
  );
  const write = (file: string, text: string) => {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  return {
    dir,
    write,
    addPackage(name, source, manifest = {}) {
      const pkg = path.join('node_modules', name);
      write(
        path.join(pkg, 'package.json'),
        JSON.stringify({
          name,
          version: '1.0.0',
          type: 'module',
          main: './index.js',
          crmsync: { plugin: './index.js' },
          ...manifest,
        }),
      );
      write(path.join(pkg, 'index.js'), source);
      return path.join(dir, pkg);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A plugin module in plain JavaScript. `alpha` always fails at the CRM, `beta` yields
 * three records (one with a malformed email); `ACME_TOKEN` is a required secret, `ACME_PORT` an integer; `--shade` is an
 * enum option that lands in each record. Its client logs the token, as a careless plugin might.
 */
export function acmePluginSource(contractVersion = 1, name = 'acme'): string {
  return `
const fields = {
  id: { type: 'string', required: true },
  shade: { type: 'string' },
  email: { type: 'email' },
};
export const plugin = {
  contractVersion: ${contractVersion},
  name: ${JSON.stringify(name)},
  displayName: 'Acme CRM',
  kind: 'api',
  config: {
    token: { env: 'ACME_TOKEN', secret: true, required: true, description: 'API token' },
    port: { env: 'ACME_PORT', type: 'integer', default: 1, description: 'A port' },
  },
  options: {
    shade: { type: 'enum', choices: ['red', 'blue'], default: 'red', description: 'Colour' },
  },
  entities: [
    {
      name: 'alpha',
      primaryKey: 'id',
      delta: { kind: 'none' },
      fields,
      async *fetch() {
        throw new Error('alpha endpoint answered 500');
      },
    },
    {
      name: 'beta',
      primaryKey: 'id',
      delta: { kind: 'none' },
      fields,
      async *fetch(_client, request) {
        // b3's email is malformed: a warning by default, a failed record under --strict-validation
        yield {
          records: ['b1', 'b2', 'b3'].map((id) => ({
            id,
            shade: request.options.shade,
            email: id === 'b3' ? 'not-an-email' : id + '@example.com',
          })),
        };
      },
    },
  ],
  createClient(context) {
    // a careless plugin: logs its credential (the host must redact it)
    context.logger.info('connecting with token ' + context.config.token);
    return {};
  },
};
export default plugin;
`;
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `crmsync <args>` in-process through `buildProgram()`, capturing what it writes. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const { run } = buildProgram({
    env,
    io: { out: (t) => (out += t), err: (t) => (err += t), isTTY: false },
  });
  const code = await run(args);
  return { code, out, err };
}
