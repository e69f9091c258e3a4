/**
 * The TAPI error envelope: `{ success: 0, error, error_code }`. Some documented errors have
 * `success: 1` or no `error_code` (withdraw limits, unknown usernames, maker-only rejections);
 * they are reproduced as documented.
 */
export interface TapiErrorBody {
  success: 0 | 1;
  error: string;
  message?: string;
  error_code?: string;
}

export class TapiError extends Error {
  constructor(
    readonly body: TapiErrorBody,
    readonly status = 200,
  ) {
    super(body.error);
  }

  static of(error: string, errorCode: string): TapiError {
    return new TapiError({ success: 0, error, error_code: errorCode });
  }
}

export const INVALID_CREDENTIALS = 'Invalid credentials. API not found or session has expired.';

/** The 429 answers, word for word as documented. */
export function tradeRateLimited(compactPair: string): TapiError {
  const text = `Your User ID sent too many trade request for pair ${compactPair}, please try again in 5 seconds`;
  return new TapiError({ success: 0, error: text, message: text, error_code: 'too_many_requests' }, 429);
}

export function cancelRateLimited(): TapiError {
  return new TapiError({ success: 0, error: 'Your User ID sent too many cancel order requests', error_code: 'too_many_requests' }, 429);
}
