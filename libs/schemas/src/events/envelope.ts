import { z } from 'zod';
import { EventIdSchema, identifierSchema, ProviderSchema, TimestampSchema, type Provider } from '../primitives';

/** The version of every event type in this contract; it is also the `.v1` of the topic names. */
export const SCHEMA_VERSION = 1;

export const EVENT_SOURCES = ['poll', 'callback', 'command', 'ledger'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Sources of facts a connector observes at a provider (everything except the ledger's findings). */
export const PROVIDER_FACT_SOURCES = ['poll', 'callback', 'command'] as const satisfies readonly EventSource[];

const SOURCE_DESCRIPTION =
  'Where the fact was observed: poll (a connector read it from the provider API), callback (the provider called finmesh), command (the response to a request finmesh made), ledger (the ledger found it).';

export const CorrelationIdSchema = identifierSchema(128).describe(
  'Ties together everything caused by one trigger (a sync run, a callback, a payment command); copied into logs.',
);

/** The fields every event starts with, in the order they are serialized. */
export function envelopeHead<const Type extends string, const Sources extends readonly [EventSource, ...EventSource[]]>(
  type: Type,
  sources: Sources,
) {
  return {
    id: EventIdSchema,
    type: z.literal(type).describe('The event type; one topic carries one type.'),
    schemaVersion: z.literal(SCHEMA_VERSION).describe('Version of this event type; the topic name ends in the same .v<N>.'),
    provider: ProviderSchema,
    source: z.enum(sources).describe(SOURCE_DESCRIPTION),
    occurredAt: TimestampSchema.describe(
      "When the fact happened at the provider: the provider's own timestamp, or the observation time when the provider gives none.",
    ),
    observedAt: TimestampSchema.describe('When finmesh observed the fact.'),
  };
}

interface RefContext {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/** An event's refs must belong to the event's provider: a ref is where the partition key comes from. */
export function checkRefsBelongToProvider(
  event: { provider: Provider; account?: { provider: Provider }; payment?: { provider: Provider } },
  context: RefContext,
): void {
  for (const field of ['account', 'payment'] as const) {
    const ref = event[field];
    if (ref !== undefined && ref.provider !== event.provider) {
      context.addIssue({ code: 'custom', path: [field, 'provider'], message: 'must equal the event provider' });
    }
  }
}
