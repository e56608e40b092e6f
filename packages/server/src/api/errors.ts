import { InputError, isCrmsyncError } from '@crmsync/core';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { graphql } from './graphql-instance.js';

/** A start refused because the (crm, entity) already has a run in progress. */
export class RunAlreadyActiveError extends Error {
  readonly crm: string;
  readonly entity: string;
  readonly runId: string;

  constructor(crm: string, entity: string, runId: string, message?: string) {
    super(
      message ??
        `A ${crm} ${entity} sync is already running (run ${runId}); cancel it or wait for it to finish`,
    );
    this.name = 'RunAlreadyActiveError';
    this.crm = crm;
    this.entity = entity;
    this.runId = runId;
  }
}

/** Something named by id (run, schedule) does not exist. */
export class NotFoundError extends Error {
  readonly what: string;
  readonly id: string;

  constructor(what: string, id: string) {
    super(`No ${what} with id ${id}`);
    this.name = 'NotFoundError';
    this.what = what;
    this.id = id;
  }
}

/**
 * The API's error masking. Bad input (core InputError) reaches the client with its field and
 * what was expected, a missing run or schedule as NOT_FOUND, other crmsync errors with their
 * kind; anything else is masked. Every message and extension that does reach the client goes
 * through `scrub` (configured secrets, credentials inside URLs): input is echoed in messages.
 */
export function createErrorMasking(scrub: (text: string) => string) {
  const typed = (error: unknown, message: string, isDev?: boolean): Error => {
    const original = (error as { originalError?: unknown }).originalError ?? error;
    if (original instanceof InputError) {
      return createGraphQLError(original.message, {
        extensions: {
          code: 'BAD_USER_INPUT',
          field: original.context.field,
          expected: original.context.expected,
        },
      });
    }
    if (original instanceof NotFoundError) {
      return createGraphQLError(original.message, {
        extensions: { code: 'NOT_FOUND', what: original.what, id: original.id },
      });
    }
    if (isCrmsyncError(original)) {
      return createGraphQLError(original.message, {
        extensions: { code: original.kind.toUpperCase() },
      });
    }
    const masked = yogaMaskError(error, message, isDev);
    // A GraphQLError let through unmasked was thrown on purpose about the request (a scalar
    // or cursor that does not parse): give it the code a client can branch on.
    const extensions = (masked as { extensions?: Record<string, unknown> }).extensions ?? {};
    if (
      masked === error &&
      masked instanceof graphql.GraphQLError &&
      extensions.code === undefined
    ) {
      return createGraphQLError(masked.message, {
        extensions: { ...extensions, code: 'BAD_USER_INPUT' },
        ...(masked.path && { path: masked.path }),
        ...(masked.nodes && { nodes: masked.nodes }),
      });
    }
    return masked;
  };
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const masked = typed(error, message, isDev);
    const extensions = (masked as { extensions?: Record<string, unknown> }).extensions;
    const text = JSON.stringify([masked.message, extensions ?? {}]);
    const clean = scrub(text);
    if (clean === text) return masked;
    const [cleanMessage, cleanExtensions] = JSON.parse(clean) as [string, Record<string, unknown>];
    const path = (masked as { path?: ReadonlyArray<string | number> }).path;
    return createGraphQLError(cleanMessage, {
      extensions: cleanExtensions,
      ...(path && { path }),
    });
  };
}
