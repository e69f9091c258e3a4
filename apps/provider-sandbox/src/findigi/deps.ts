import type { SandboxContext } from '../context';
import type { IdempotencyStore } from '../core/idempotency';
import type { FxBoard } from './fx';
import type { FindigiSessions } from './session';
import type { FindigiState } from './state';
import type { FindigiTransfers } from './transfers';

/** What FinDIGI's route groups share. */
export interface FindigiDeps {
  ctx: SandboxContext;
  state: FindigiState;
  sessions: FindigiSessions;
  transfers: FindigiTransfers;
  fx: FxBoard;
  idempotency: IdempotencyStore;
}
