import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { type Plugin, usePayloadFormatter } from 'graphql-yoga';
import { graphql } from './graphql-instance.js';
import { hasUrlCredentials, scrubText } from './secrets.js';

export interface LimitOptions {
  /** Deepest selection allowed (default 12: a run's events' nodes sit at depth 5). */
  maxDepth?: number;
  /** graphql-armor cost limit (default 5000). */
  maxCost?: number;
}

/** Header a browser must send with a non-JSON request (the dashboard sends it always). */
export const CSRF_HEADERS = ['x-crmsync-csrf', 'x-graphql-yoga-csrf'];

/**
 * Depth, cost, alias and token limits (graphql-armor) and CSRF prevention: a "simple" request
 * a browser would send cross-site without a preflight (GET, form posts) must carry one of the
 * CSRF headers; `content-type: application/json` POSTs always preflight and pass.
 */
export function protections(options: LimitOptions = {}): Plugin[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: options.maxDepth ?? 12 },
    costLimit: { maxCost: options.maxCost ?? 5_000 },
    maxAliases: { n: 30 },
    maxTokens: { n: 2_000 },
    maxDirectives: { n: 20 },
  });
  return [armor as Plugin, useCSRFPrevention({ requestHeaders: CSRF_HEADERS }) as Plugin];
}

/** Refuses introspection queries (production, unless CRMSYNC_INTROSPECTION=1). */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(graphql.NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Replaces any configured secret value found in a result's data (query, mutation or
 * subscription event) with `[redacted]`, and masks credentials inside URLs
 * (`http://u:secret@host`, which a network error may print). Data is built from rows and plugin
 * metadata that should hold no secrets; this guards against a plugin or a history row that
 * holds one anyway. Error messages are scrubbed where they are masked (createErrorMasking):
 * the errors must stay GraphQLError instances for the masking to know them.
 */
export function useSecretScrubbing(secretValues: () => string[]): Plugin {
  return usePayloadFormatter((result) => {
    if (result.data == null) return false;
    const secrets = secretValues()
      .filter((s) => s.length >= 4)
      .map((s) => JSON.stringify(s).slice(1, -1));
    const text = JSON.stringify(result.data);
    if (!hasUrlCredentials(text) && !secrets.some((s) => text.includes(s))) return false;
    return { ...result, data: JSON.parse(scrubText(text, secrets)) };
  }) as Plugin;
}
