import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = join(root, 'packages/server/dist/cli/main.js');
export const dashboardBuild = join(root, 'packages/ui/build/index.html');
export const screenshotDir = join(root, 'artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function missingPrerequisite(): string | null {
  if (!existsSync(cli)) return `the server is not built (${cli}); run \`pnpm build\` first`;
  if (!existsSync(dashboardBuild))
    return `the dashboard is not built (${dashboardBuild}); run \`pnpm build\` first`;
  if (!existsSync(CHROMIUM))
    return `no Chromium at ${CHROMIUM}; run \`bash scripts/ensure-chromium.sh\``;
  return null;
}

/**
 * Why `tests` (e.g. "the dashboard browser tests") are skipped here, or null when they can
 * run. Under `CI=true` a missing prerequisite throws instead: those tests must run in CI.
 */
export function browserSkipReason(tests: string): string | null {
  const missing = missingPrerequisite();
  if (missing && process.env.CI === 'true') throw new Error(`${tests} cannot run: ${missing}`);
  if (missing) console.warn(`skipping ${tests}: ${missing}`);
  return missing;
}

export interface StartedCrmsync {
  url: string;
  cwd: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `crmsync start` (API + scheduler + dashboard) on a free port in a fresh directory. */
export async function startCrmsync(env: Record<string, string> = {}): Promise<StartedCrmsync> {
  const cwd = await mkdtemp(join(tmpdir(), 'crmsync-ui-'));
  const child = spawn(process.execPath, [cli, 'start', '--host', '127.0.0.1', '--port', '0'], {
    cwd,
    env: { ...process.env, DATABASE_URL: '', CRMSYNC_API_TOKEN: '', ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`crmsync start printed no URL in 60 s:\n${out}`)),
      60_000,
    );
    const check = () => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match && Number(match[1]) > 0) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`crmsync start exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    cwd,
    process: child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Saves a full-page screenshot under artifacts/screenshots (gitignored; a CI artifact). */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Waits until no run is active (the first start's demo sync has finished). */
export async function waitUntilIdle(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ overview { activeRuns } recentRuns(limit: 1) { id } }' }),
    });
    const body = (await res.json()) as {
      data?: { overview: { activeRuns: number }; recentRuns: unknown[] };
    };
    if (body.data && body.data.overview.activeRuns === 0 && body.data.recentRuns.length > 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`runs were still active at ${url} after ${timeoutMs} ms`);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical axe-core violations of the page as it is now. */
export async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: unknown,
          ): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

/** GraphQL answers are read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type GraphqlAnswer = { data?: Record<string, any>; errors?: unknown[] };

/** crmsync, Chromium and one page for the tests of a describe block (see `browserSession`). */
export class BrowserSession {
  crmsync!: StartedCrmsync;
  browser!: Browser;
  page!: Page;

  /** Opens `path` of crmsync in `page` (default the session's) and waits for the network. */
  async go(path: string, page: Page = this.page): Promise<void> {
    await page.goto(this.crmsync.url + path);
    await page.waitForLoadState('networkidle');
  }

  /** One GraphQL request to crmsync's API. */
  async gql(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlAnswer> {
    const res = await fetch(`${this.crmsync.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphqlAnswer;
  }
}

/**
 * Registers, in the calling describe block, a beforeAll that starts `crmsync start` with the
 * environment `env` returns (called then, so it can read fakes an earlier hook started), the
 * browser and a page at `viewport` (default DESKTOP), and an afterAll that stops them. The
 * session's fields are set once that beforeAll has run.
 */
export function browserSession(
  options: {
    env?: () => Record<string, string> | Promise<Record<string, string>>;
    viewport?: { width: number; height: number };
  } = {},
): BrowserSession {
  const session = new BrowserSession();
  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    session.crmsync = await startCrmsync(await options.env?.());
    session.browser = await launchBrowser();
    session.page = await session.browser.newPage({ viewport: options.viewport ?? DESKTOP });
  }, 120_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.crmsync?.stop();
  });
  return session;
}
