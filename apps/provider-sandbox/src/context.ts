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

/** One provider: its routes (mounted at its base path), its ground truth and its live activity. */
export interface ProviderModule extends GroundTruthSource {
  /** Provider-specific admin controls, mounted at `/_admin/<provider>`. */
  readonly adminRoutes?: FastifyPluginAsync;
  readonly id: ProviderId;
  readonly routes: FastifyPluginAsync;
  /** Schedules the provider's recurring activity (new transactions, price moves) on the clock. */
  startLiveActivity(): void;
}
