#!/usr/bin/env node
// Generates templates/plugin/ (what `crmsync new plugin` copies) from examples/custom-plugin,
// so the template follows the example: its Acme names become placeholders. `--check` compares
// instead of writing and exits 1 naming each file that differs.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(serverDir, '../..');

/** Files of the example that are not the template's: build output, and its tutorial README. */
const SKIP = new Set(['node_modules', 'dist', 'README.md']);
/** Written by hand in the template (the plugin's own README, not the example's tutorial). */
const OWN = new Set(['README.md.tmpl']);

/** The example's names, longest first, and the placeholders `crmsync new plugin` fills in. */
const PLACEHOLDERS = [
  ['@crmsync-examples/custom-plugin', '{{packageName}}'],
  ['Acme CRM', '{{displayName}}'],
  ['ACME', '{{NAME}}'],
  ['Acme', '{{Name}}'],
  ['acme', '{{name}}'],
];

export function templateText(text) {
  let out = text;
  for (const [from, to] of PLACEHOLDERS) out = out.split(from).join(to);
  return out;
}

function walk(dir, rel = '') {
  const files = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) files.push(...walk(dir, child));
    else files.push(child);
  }
  return files.sort();
}

/** The template as it should be: { relative path (with .tmpl): text }. */
export function expectedTemplate(exampleDir) {
  const files = {};
  for (const rel of walk(exampleDir))
    files[`${rel}.tmpl`] = templateText(readFileSync(path.join(exampleDir, rel), 'utf8'));
  // Standalone compiler options for a plugin created outside a workspace with tsconfig.base.json.
  files['tsconfig.base.json.tmpl'] = readFileSync(path.join(repoDir, 'tsconfig.base.json'), 'utf8');
  return files;
}

function main(argv) {
  const arg = (name, fallback) => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] ? path.resolve(argv[at + 1]) : fallback;
  };
  const exampleDir = arg('--example', path.join(repoDir, 'examples/custom-plugin'));
  const outDir = arg('--out', path.join(serverDir, 'templates/plugin'));
  if (!existsSync(exampleDir)) {
    // An installed @crmsync/server has no example beside it: its shipped template stands.
    console.log(`build-template: no example at ${exampleDir}; template left as it is`);
    return 0;
  }
  const expected = expectedTemplate(exampleDir);
  const actual = existsSync(outDir) ? walk(outDir).filter((rel) => !OWN.has(rel)) : [];
  if (argv.includes('--check')) {
    const differing = [
      ...Object.keys(expected).filter(
        (rel) =>
          !existsSync(path.join(outDir, rel)) ||
          readFileSync(path.join(outDir, rel), 'utf8') !== expected[rel],
      ),
      ...actual.filter((rel) => !(rel in expected)),
    ];
    if (differing.length === 0) return 0;
    console.error(
      `the plugin template differs from ${path.relative(process.cwd(), exampleDir) || '.'} in ${differing.join(', ')}: run pnpm --filter @crmsync/server run template:build`,
    );
    return 1;
  }
  for (const rel of actual) if (!(rel in expected)) rmSync(path.join(outDir, rel));
  for (const [rel, text] of Object.entries(expected)) {
    mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    writeFileSync(path.join(outDir, rel), text);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
