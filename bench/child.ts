import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mainThreadCpuSeconds } from './lib.js';

const [modulePath, rawArgs] = process.argv.slice(2);
if (!modulePath) throw new Error('usage: child.ts <module> <json-args>');
const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as {
  default: (args: unknown) => Promise<unknown>;
};
const args: unknown = JSON.parse(rawArgs ?? 'null');
const mainBefore = mainThreadCpuSeconds();
const before = process.cpuUsage();
const result = await mod.default(args);
const used = process.cpuUsage(before);
const mainAfter = mainThreadCpuSeconds();
const cpu = {
  mainThread: mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore,
  process: (used.user + used.system) / 1e6,
};
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`\n${JSON.stringify({ result, maxRssBytes, cpu })}\n`);
process.exit(0);
