import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchSuite } from './lib.js';

// Every `bench/suites/*.bench.ts` exports a default BenchSuite. `pnpm bench [name…]` runs
// the named suites (all when none is named) and prints one table.
const dir = fileURLToPath(new URL('./suites/', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const figures: BenchFigure[] = [];
const quick = process.env.BENCH_QUICK === '1';

for (const file of files) {
  const suite = (await import(pathToFileURL(dir + file).href)).default as BenchSuite;
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  console.log(`\n== ${suite.name} ==`);
  const started = Date.now();
  await suite.run({
    quick,
    log: (m) => console.log(`  ${m}`),
    report: (f) => {
      figures.push(f);
      console.log(
        `  ${f.name}: ${fmt(f.value)} ${f.unit}${f.ratio !== undefined ? ` (ratio ${f.ratio.toFixed(2)})` : ''}`,
      );
    },
  });
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

console.log('\n| suite | figure | value | limits measured beside it | ratio | goal | met |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const f of figures) {
  const limits = (f.limits ?? []).map((l) => `${l.name}: ${fmt(l.value)} ${l.unit}`).join('; ');
  const ratio = f.ratio === undefined ? '' : f.ratio.toFixed(2);
  const met = f.met === undefined ? '' : f.met ? 'yes' : 'NO';
  console.log(
    `| ${f.suite} | ${f.name} | ${fmt(f.value)} ${f.unit} | ${limits} | ${ratio} | ${f.goal ?? ''} | ${met} |`,
  );
}

const out = fileURLToPath(new URL('./results/latest.json', import.meta.url));
await writeFile(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, figures }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
