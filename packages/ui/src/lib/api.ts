import { goto } from '$app/navigation';
import { markUpdated, reportAnswer, reportNetworkError } from './server-status.svelte';

/** A mutation's field error as the API reports it: which field, and what was expected. */
export interface FieldError {
  field: string;
  expected?: string | null;
  message: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Sends one GraphQL operation. The API token, when one is set, travels in an httpOnly cookie
 * set by the sign-in page: nothing readable by this script ever holds it.
 */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        'x-graphql-yoga-csrf': '1',
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    // The server is gone (or the network): the banner says so; the page keeps its data, greyed.
    reportNetworkError();
    throw new ApiError(`Server unreachable: ${(error as Error).message}`);
  }
  reportAnswer();
  if (res.status === 401) {
    await goto(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError('Sign-in required', 401);
  }
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length)
    throw new ApiError(body.errors.map((e) => e.message).join('; '), res.status);
  if (!body.data) throw new ApiError(`The API answered ${res.status} without data`, res.status);
  if (!query.trimStart().startsWith('mutation')) markUpdated();
  return body.data;
}
