import type { FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context';
import type { IdempotencyStore } from '../core/idempotency';
import type { Random } from '../core/random';
import type { IndexoCaller } from './headers';
import type { IndexoLifecycle } from './lifecycle';
import type { IndexoState } from './state';

/** What INDEXO's route groups share. */
export interface IndexoDeps {
  ctx: SandboxContext;
  state: IndexoState;
  lifecycle: IndexoLifecycle;
  /** Draws challenges, ids and the data of accounts the documented sandbox creates on demand. */
  random: Random;
  idempotency: IdempotencyStore;
}

const callers = new WeakMap<FastifyRequest, IndexoCaller>();

export function rememberCaller(request: FastifyRequest, caller: IndexoCaller): void {
  callers.set(request, caller);
}

export function callerOf(request: FastifyRequest): IndexoCaller {
  const caller = callers.get(request);
  if (!caller) throw new Error('INDEXO route used without the header check');
  return caller;
}
