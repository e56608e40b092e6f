import type { FakeReply, FakeRequest } from './types.js';

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface RouteOptions {
  /** `false`: the route answers without the API's auth check (token endpoints). */
  auth?: boolean;
  /** `false`: answers are left out of the request log (control endpoints). */
  log?: boolean;
}

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: FakeHandler;
  options: RouteOptions;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Compiles `/v3/a/:account/:collection.json` or `/v4/spreadsheets/:id/values/*range`:
 * `:name` is one path segment (shortest match, so a suffix such as `.json` stays literal),
 * `*name` is the rest of the path. A RegExp with named groups is taken as it is.
 */
function compile(pattern: string | RegExp): { regex: RegExp; names: string[] } {
  if (pattern instanceof RegExp) return { regex: pattern, names: [] };
  const names: string[] = [];
  const source = pattern.replace(
    /([:*])([A-Za-z_][A-Za-z0-9_]*)|([.+?^${}()|[\]\\])/g,
    (_, kind: string | undefined, name: string | undefined, literal: string | undefined) => {
      if (literal) return `\\${literal}`;
      names.push(name as string);
      return kind === ':' ? '([^/]+?)' : '(.+)';
    },
  );
  return { regex: new RegExp(`^${source}$`), names };
}

/** Method + path routing with params; first declared route wins. */
export class FakeRouter {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string | RegExp, handler: FakeHandler, options: RouteOptions = {}) {
    const { regex, names } = compile(pattern);
    this.#routes.push({
      method: method.toUpperCase(),
      pattern: String(pattern),
      regex,
      names,
      handler,
      options,
    });
    return this;
  }

  /** The route for `method path`; `'method'` when the path exists under another method. */
  match(method: string, path: string): RouteMatch | 'method' | undefined {
    let otherMethod = false;
    for (const route of this.#routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== '*' && route.method !== method.toUpperCase()) {
        otherMethod = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? '');
      });
      for (const [name, value] of Object.entries(m.groups ?? {}))
        if (value !== undefined) params[name] = safeDecode(value);
      return { route, params };
    }
    return otherMethod ? 'method' : undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
