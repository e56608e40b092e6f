import { InputError, isCrmsyncError } from '@crmsync/core';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { NotFoundError } from '../errors.js';
import { graphql } from './graphql-instance.js';

export { NotFoundError, RunAlreadyActiveError } from '../errors.js';

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
    if (isCrmsyncError(original) && original.context.code === 'SCAN_TIMEOUT') {
      // A filter or sort that read every record for too long (records-query's ScanTimeoutError).
      return createGraphQLError(original.message, {
        extensions: { code: 'SCAN_TIMEOUT', field: original.context.field },
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
