import type { z } from 'zod';
import { ContractError, EventValidationError, formatIssuePath, type ValidationIssue, type ValidationStage } from './errors';
import { isCanonicalCallbackReceivedEvent } from './events/callback-received-fast-check';
import { SCHEMA_VERSION } from './events/envelope';
import {
  eventIdOf,
  FinmeshEventSchema,
  type EventOfType,
  type EventType,
  type EventWithoutId,
  type FinmeshEvent,
} from './events';
import { eventHeaders } from './headers';
import { parseJsonWithSafeNumbers } from './lossless-json';
import { partitionKeyOf, resolveTopic, topicOf } from './topics';

/** What a producer supplies; id, type and schemaVersion are filled in by createEvent. */
export type EventInput<Type extends EventType> = Omit<EventOfType<Type>, 'id' | 'type' | 'schemaVersion'>;

/** Satisfies the id format while the structure is checked; replaced by the derived id before anyone sees it. */
const PROVISIONAL_EVENT_ID = '00000000-0000-8000-8000-000000000000';

/**
 * Builds an event the only safe way: the id is derived from the fact (so a connector cannot get
 * it wrong) and the result is validated. Throws EventValidationError.
 */
export function createEvent<Type extends EventType>(type: Type, input: EventInput<Type>): EventOfType<Type> {
  // The input goes first so that nothing in it (say, a copied event's type) can override these.
  const provisional = validateStructure(
    { ...input, id: PROVISIONAL_EVENT_ID, type, schemaVersion: SCHEMA_VERSION },
    'produce',
    undefined,
  );
  const { id: _provisionalId, ...withoutId } = provisional;
  return { ...provisional, id: eventIdOf(withoutId as EventWithoutId) } as EventOfType<Type>;
}

/**
 * Every producer calls this (toKafkaMessage does) before an event leaves the process: the schema
 * of its type, the cross-field rules and the deterministic id. Returns the event as validated.
 */
export function validateForProduce(event: unknown): FinmeshEvent {
  // The ingress's event, checked by a hand-written equivalent of its schema (see the fast check).
  const validated = isCanonicalCallbackReceivedEvent(event) ? (event as FinmeshEvent) : validateStructure(event, 'produce', undefined);
  checkDeterministicId(validated, 'produce', undefined);
  return validated;
}

export interface KafkaEventMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface KafkaMessageOptions {
  /** Topic prefix (tests); none in production. */
  topicPrefix?: string;
  traceparent?: string;
  tracestate?: string;
}

/** Validates the event and returns its topic, partition key, JSON value and headers. */
export function toKafkaMessage(event: FinmeshEvent, options: KafkaMessageOptions = {}): KafkaEventMessage {
  const validated = validateForProduce(event);
  const trace: { traceparent?: string; tracestate?: string } = {};
  if (options.traceparent !== undefined) trace.traceparent = options.traceparent;
  if (options.tracestate !== undefined) trace.tracestate = options.tracestate;
  return {
    topic: topicOf(validated, options.topicPrefix),
    key: partitionKeyOf(validated),
    value: JSON.stringify(validated),
    headers: eventHeaders(validated, trace),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every consumer calls this on each message value: it resolves the (possibly prefixed) topic in
 * the registry, decodes strict UTF-8, parses JSON (duplicate keys and inexact numbers refused),
 * validates against the topic's event schema and checks the deterministic id. A failure is an
 * EventValidationError whose `reason` belongs in the DLQ reason header.
 */
export function parseConsumedEvent(topic: string, value: Uint8Array | string | null | undefined): FinmeshEvent {
  const resolved = resolveTopic(topic);
  if (resolved === undefined) {
    throw consumeFailure(topic, 'topic is not in the finmesh topic registry');
  }
  if (resolved.isDeadLetter) {
    throw consumeFailure(topic, 'is a dead-letter topic: parse the message against its origin topic (DLQ headers)');
  }
  if (value === null || value === undefined) {
    throw consumeFailure(topic, 'message has no value');
  }
  let text: string;
  try {
    text = typeof value === 'string' ? value : utf8.decode(value);
  } catch {
    throw consumeFailure(topic, 'message value is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = parseEventJson(text);
  } catch (error: unknown) {
    if (error instanceof ContractError) throw consumeFailure(topic, `message value is ${error.message}`);
    throw error;
  }
  const event = validateStructure(parsed, 'consume', topic, resolved.definition.schema);
  checkDeterministicId(event, 'consume', topic);
  return event;
}

/**
 * Every finmesh producer writes events with JSON.stringify. When a text is exactly the canonical
 * serialization of its native parse, it holds no duplicate keys (one would be lost, so the text
 * would differ) and every number in it is shown as parsed; the slower lossless parser, which
 * refuses inexact numbers and conflicting duplicates, is needed only for the other texts. The
 * schemas then accept no number anywhere except the integer literal schemaVersion.
 */
function parseEventJson(text: string): unknown {
  let native: unknown;
  try {
    native = JSON.parse(text);
  } catch {
    return parseJsonWithSafeNumbers(text);
  }
  return JSON.stringify(native) === text ? native : parseJsonWithSafeNumbers(text);
}

function validateStructure(
  candidate: unknown,
  stage: ValidationStage,
  topic: string | undefined,
  schema: z.ZodType<FinmeshEvent> = FinmeshEventSchema,
): FinmeshEvent {
  const result = schema.safeParse(candidate);
  if (!result.success) throw new EventValidationError(stage, issuesOf(result.error), topic);
  return result.data;
}

function checkDeterministicId(event: FinmeshEvent, stage: ValidationStage, topic: string | undefined): void {
  const { id, ...withoutId } = event;
  const expected = eventIdOf(withoutId as EventWithoutId);
  if (id !== expected) {
    throw new EventValidationError(
      stage,
      [{ path: 'id', message: `must be the deterministic id of the event's fact (${expected}); build events with createEvent` }],
      topic,
    );
  }
}

/** zod's messages name the rule, never the input value; union and record issues are flattened to their causes. */
function issuesOf(error: z.ZodError): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const collect = (issue: z.core.$ZodIssue, parentPath: readonly PropertyKey[]): void => {
    const path = [...parentPath, ...issue.path];
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      for (const inner of issue.issues) collect(inner, path);
      return;
    }
    if (issue.code === 'invalid_union' && issue.errors.length === 1) {
      for (const inner of issue.errors[0] ?? []) collect(inner, path);
      return;
    }
    issues.push({ path: formatIssuePath(path), message: issue.message });
  };
  for (const issue of error.issues) collect(issue, []);
  return issues;
}

function consumeFailure(topic: string, message: string): EventValidationError {
  return new EventValidationError('consume', [{ path: '', message }], topic);
}
