import { InputError } from '@crmsync/core';
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { Kind, type ValueNode } from 'graphql';
import { graphql } from '../graphql-instance.js';
import type PrismaTypes from '../../generated/pothos-types.js';
import { getDatamodel } from '../../generated/pothos-types.js';
import type { ApiContext } from '../request-context.js';
import { NotFoundError, RunAlreadyActiveError } from '../errors.js';

/**
 * The one Pothos builder of the API. The schema does not depend on which plugins are installed
 * (records carry their fields as a list typed by the plugin's field schema), so the printed
 * schema is the same on every install and can be committed and checked.
 */
export const builder = new SchemaBuilder<{
  Context: ApiContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
  },
  errors: { defaultTypes: [] },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'An ISO 8601 date-time in UTC.',
  serialize: (value) =>
    value instanceof Date ? value.toISOString() : new Date(value).toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime()))
      throw new GraphQLError('DateTime: expected an ISO 8601 date-time');
    return date;
  },
  parseLiteral: (node) => {
    const date = node.kind === Kind.STRING ? new Date(node.value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime()))
      throw new GraphQLError('DateTime: expected an ISO 8601 date-time');
    return date;
  },
});

const { GraphQLError } = graphql;

function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value)]));
    default:
      throw new GraphQLError('JSON: variables are not allowed inside a JSON literal');
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalValue,
});

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A mutation result that explains why nothing was done.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(InputError, {
  name: 'FieldError',
  description: 'Bad input: which field, and what was expected.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InputError,
  fields: (t) => ({
    field: t.string({ resolve: (error) => error.context.field ?? 'input' }),
    expected: t.string({ nullable: true, resolve: (error) => error.context.expected ?? null }),
  }),
});

builder.objectType(RunAlreadyActiveError, {
  name: 'SyncAlreadyRunning',
  description: 'A start refused because the CRM entity already has a run in progress.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RunAlreadyActiveError,
  fields: (t) => ({
    crm: t.exposeString('crm'),
    entity: t.exposeString('entity'),
    runId: t.exposeString('runId', { description: 'The run in progress.' }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFound',
  description: 'Nothing with this id exists.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({ id: t.exposeString('id'), what: t.exposeString('what') }),
});
