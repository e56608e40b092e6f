import { randomUUID } from 'node:crypto';

/** A HubSpot error answer: status, `{status:"error", message, correlationId, category…}` body, headers. */
import { FakeHttpError as HttpError } from '@crmsync/core/fake-api';

export { HttpError };

export const errorBody = (
  message: string,
  category: string,
  extra: Record<string, unknown> = {},
) => ({
  status: 'error',
  message,
  correlationId: randomUUID(),
  category,
  ...extra,
});

export const encodeAfter = (n: number) => Buffer.from(String(n)).toString('base64');
export function decodeAfter(after: string | null): number {
  if (!after) return 0;
  const n = Number(Buffer.from(after, 'base64').toString('utf8'));
  if (!Number.isInteger(n) || n < 0)
    throw new HttpError(400, errorBody(`Invalid after: ${after}`, 'VALIDATION_ERROR'));
  return n;
}
