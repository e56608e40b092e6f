import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { graphql } from './graphql-instance.js';
import { apiSchema } from './schema/index.js';

/** The schema as committed at packages/server/schema.graphql. */
export function printedSchema(): string {
  return `${graphql.printSchema(graphql.lexicographicSortSchema(apiSchema()))}\n`;
}

export const schemaFile = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

// `schema:print` writes packages/server/schema.graphql; `schema:check` fails when it is stale.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const printed = printedSchema();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(schemaFile, 'utf8');
    } catch {}
    if (committed !== printed) {
      console.error(
        `${schemaFile} is stale: run pnpm --filter @crmsync/server run schema:print and commit it`,
      );
      process.exit(1);
    }
    console.log(`${schemaFile} is up to date`);
  } else {
    writeFileSync(schemaFile, printed);
    console.log(`wrote ${schemaFile}`);
  }
}
