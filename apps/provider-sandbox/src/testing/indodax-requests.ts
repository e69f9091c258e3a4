import { signIndodaxRequest, type IndodaxFreshness, type IndodaxParams } from '@finmesh/signing';
import type { LightMyRequestResponse } from 'fastify';
import type { Sandbox } from '../sandbox';

/** The documented example key pair, which the sandbox accepts by default. */
export const DOCUMENTED_KEY = {
  apiKey: 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA',
  secretKey: 'f60617a68fcce028f0a90bc9eb765d17379eb548cc935c01a7ee3186eecf870e9b68f27a31bcfe8d',
};

let lastNonce = BigInt(Date.now());

/** An increasing nonce, as a connector's nonce source would give. */
export function nextNonce(): bigint {
  lastNonce += 1n;
  return lastNonce;
}

export interface TapiOptions {
  key?: { apiKey: string; secretKey: string };
  freshness?: IndodaxFreshness;
}

/** A signed TAPI call through `inject`, signed with @finmesh/signing as a connector would. */
export async function tapi(sandbox: Sandbox, method: string, params: IndodaxParams = [], options: TapiOptions = {}): Promise<LightMyRequestResponse> {
  const signed = signIndodaxRequest({ ...(options.key ?? DOCUMENTED_KEY), method, params, freshness: options.freshness ?? { nonce: nextNonce() } });
  return sandbox.app.inject({ method: 'POST', url: '/indodax/tapi', headers: signed.headers, payload: signed.body });
}

/** The same over the network, for flows whose behaviour depends on it (withdraw callbacks). */
export async function tapiOverHttp(baseUrl: string, method: string, params: IndodaxParams = [], options: TapiOptions = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const signed = signIndodaxRequest({ ...(options.key ?? DOCUMENTED_KEY), method, params, freshness: options.freshness ?? { nonce: nextNonce() } });
  const response = await fetch(`${baseUrl}/tapi`, { method: 'POST', headers: signed.headers, body: signed.body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
