import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, rawArgs] = process.argv.slice(2);
if (!modulePath) throw new Error('usage: child.ts <module> <json-args>');
const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as {
  default: (args: unknown) => Promise<unknown>;
};
const result = await mod.default(JSON.parse(rawArgs ?? 'null'));
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`\n${JSON.stringify({ result, maxRssBytes })}\n`);
process.exit(0);
