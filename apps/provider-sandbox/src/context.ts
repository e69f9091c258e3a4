import type { FastifyPluginAsync } from 'fastify';
import type { CallbackDispatcher } from './core/callbacks';
import type { SandboxClock } from './core/clock';
import type { FaultRegistry } from './core/faults';
import type { GroundTruthSource } from './core/ground-truth';
import type { ProviderId } from './core/providers';
import type { Random } from './core/random';
import type { ResolvedOptions } from './options';

/** What every provider module is given: configuration and the shared sandbox machinery. */
export interface SandboxContext {
  readonly options: ResolvedOptions;
  readonly clock: SandboxClock;
  readonly random: Random;
  readonly faults: FaultRegistry;
  readonly callbacks: CallbackDispatcher;
}

/**
 * A provider's part of a sandbox snapshot: plain data only (Maps, arrays, bigints; no functions),
 * written by its own `snapshot()` and read back by its own `restore()` from a file of the same
 * format version.
 */
export type ProviderSnapshot = object;

/** One provider: its routes (mounted at its base path), its ground truth and its live activity. */
export interface ProviderModule extends GroundTruthSource {
  /** Provider-specific admin controls, mounted at `/_admin/<provider>`. */
  readonly adminRoutes?: FastifyPluginAsync;
  readonly id: ProviderId;
  readonly routes: FastifyPluginAsync;
  /** Schedules the provider's recurring activity (new transactions, price moves) on the clock. */
  startLiveActivity(): void;
  /**
   * Its whole state, for the sandbox's snapshot (serialized at once, so live objects are fine).
   * A provider without it starts again from its seed after a restart.
   */
  snapshot?(): ProviderSnapshot;
  /** Replaces its state with a snapshot's; its pending tasks come back with the clock's. */
  restore?(snapshot: ProviderSnapshot): void;
}
