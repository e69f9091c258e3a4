import { signIndxRequest, type IndxSignOptions } from '@finmesh/signing';
import type { LightMyRequestResponse } from 'fastify';
import type { Sandbox } from '../sandbox';

export const INDX_CREDENTIALS = { apiKey: 'indx-sandbox-key', apiSecret: 'indx-sandbox-secret' };

export interface IndxCallOptions extends IndxSignOptions {
  credentials?: { apiKey: string; apiSecret: string };
  headers?: Record<string, string>;
}

/** A signed INDX call through `inject`: the path is signed as it is sent, base path included. */
export function indx(sandbox: Sandbox, method: 'GET' | 'POST', path: string, body?: unknown, options: IndxCallOptions = {}): Promise<LightMyRequestResponse> {
  const pathWithQuery = `/indx${path}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signed = signIndxRequest({ method, pathWithQuery, ...(payload === undefined ? {} : { body: payload }) }, options.credentials ?? INDX_CREDENTIALS, options);
  return sandbox.app.inject({
    method,
    url: pathWithQuery,
    headers: { ...signed, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(payload === undefined ? {} : { payload }),
  });
}
