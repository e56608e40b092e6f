import { type FakeReply, reply } from '@crmsync/core/fake-api';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
/** Google's error body: `{error:{code,message,status}}`. */
export const error = (code: number, message: string): FakeReply =>
  reply(code, { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' } });
/** The read quota's 429, as Sheets answers it. */
export const QUOTA_EXCEEDED = reply(429, {
  error: {
    code: 429,
    message:
      "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:100000000001'.",
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
      },
    ],
  },
});
