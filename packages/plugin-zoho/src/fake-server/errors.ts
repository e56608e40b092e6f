import { FakeHttpError } from '@crmsync/core/fake-api';

/** Zoho's error body (`API_Exception` in record.json): `{code, details, message, status}`. */
export const zohoError = (
  code: string,
  message: string,
  details: Record<string, unknown> = {},
) => ({
  code,
  details,
  message,
  status: 'error',
});

export const fail = (
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
) => new FakeHttpError(status, zohoError(code, message, details));

/** 429 for the concurrency cap (Kaizen #203): no Retry-After is documented, so none is sent. */
export const tooManyRequests = () =>
  zohoError(
    'TOO_MANY_REQUESTS',
    'You have exceeded the concurrency limit for your edition. Please try again later.',
  );
