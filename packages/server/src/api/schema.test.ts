import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphql } from './graphql-instance.js';
import { printedSchema, schemaFile } from './print-schema.js';
import { apiSchema } from './schema/index.js';

describe('printed schema', () => {
  it('matches the committed packages/server/schema.graphql (run schema:print after changing the API)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printedSchema());
  });

  it('pages every connection by cursor, never by offset', () => {
    const connections: string[] = [];
    for (const type of Object.values(apiSchema().getTypeMap())) {
      if (!graphql.isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const args = field.args.map((a) => a.name);
        expect(args, `${type.name}.${field.name}`).not.toContain('offset');
        expect(args, `${type.name}.${field.name}`).not.toContain('skip');
        if (!graphql.getNamedType(field.type).name.endsWith('Connection')) continue;
        connections.push(`${type.name}.${field.name}`);
        expect(args, `${type.name}.${field.name}`).toEqual(
          expect.arrayContaining(['first', 'after']),
        );
      }
    }
    expect(connections.sort()).toEqual([
      'Query.conflicts',
      'Query.pendingChanges',
      'Query.records',
      'Query.runs',
      'Query.schedules',
      'Run.events',
    ]);
  });
});
