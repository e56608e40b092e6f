import type { IncomingHttpHeaders } from 'node:http';

/** A request as a fake's handlers see it: parsed URL, path params, raw body. */
export interface FakeRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Path params of the matched route (`/v1/:entity` → `{ entity }`), decoded. */
  params: Record<string, string>;
  /** The raw body, '' when none. */
  body: string;
  /** The route pattern that matched (`undefined` before routing or when none did). */
  route?: string;
}

/** An answer: a status, a body (JSON-encoded unless a string or bytes) and headers. */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown anywhere in a handler to answer with a vendor's error (status, body, headers). */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`fake API answered ${status}`);
  }

  get reply(): FakeReply {
    return { status: this.status, body: this.body, headers: this.headers };
  }
}

export const reply = (
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): FakeReply => ({ status, body, headers });

export const ok = (body: unknown, headers: Record<string, string> = {}): FakeReply =>
  reply(200, body, headers);

/** Parses a JSON body; `undefined` when empty, a `SyntaxError` when malformed. */
export function jsonBody(request: FakeRequest): unknown {
  return request.body === '' ? undefined : JSON.parse(request.body);
}

/** A form-encoded body (OAuth token endpoints). */
export const formBody = (request: FakeRequest) => new URLSearchParams(request.body);

/** Opaque cursors: base64url of JSON, as most vendors' `next`/`after` tokens look. */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** The decoded cursor, or `undefined` when it is not one `encodeCursor` made. */
export function decodeCursor(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
