import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ContractError } from './errors';
import type { FinmeshEvent } from './events';

/** Kafka header names on every event message. Header names are lower case. */
export const EVENT_HEADERS = {
  /** W3C Trace Context: `00-<trace-id>-<parent-id>-<flags>`. */
  traceparent: 'traceparent',
  /** W3C Trace Context vendor state, passed through untouched. */
  tracestate: 'tracestate',
  eventId: 'finmesh-event-id',
  eventType: 'finmesh-event-type',
  schemaVersion: 'finmesh-schema-version',
  correlationId: 'finmesh-correlation-id',
  contentType: 'content-type',
} as const;

export const EVENT_CONTENT_TYPE = 'application/json';

/**
 * Headers a dead-letter message carries in addition to the original message's headers; its key
 * and value are the original bytes, unchanged. These are the names libs/kafka's
 * DeadLetterPublisher writes.
 */
export const DLQ_HEADERS = {
  /** Why it failed: for a validation failure, EventValidationError.reason (paths and rules, no values). */
  reason: 'finmesh-dlq-reason',
  originTopic: 'finmesh-dlq-origin-topic',
  originPartition: 'finmesh-dlq-origin-partition',
  originOffset: 'finmesh-dlq-origin-offset',
  /** The consumer group that gave up on it. */
  consumerGroup: 'finmesh-dlq-consumer-group',
  /** How many times the consumer tried before giving up (1 for a message that can never succeed). */
  attempts: 'finmesh-dlq-attempts',
  /** ISO 8601 time the message was dead-lettered. */
  failedAt: 'finmesh-dlq-failed-at',
} as const;

/** A DLQ reason is cut to this many characters: a reason is a diagnosis, not a dump of the payload. */
export const MAX_DLQ_REASON_LENGTH = 2000;

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export const TraceparentSchema = z
  .string()
  .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
  .meta({ id: 'Traceparent', description: 'W3C Trace Context traceparent, version 00.' });

export const EventHeadersSchema = z
  .looseObject({
    [EVENT_HEADERS.traceparent]: TraceparentSchema.optional(),
    [EVENT_HEADERS.tracestate]: z.string().max(512).optional(),
    [EVENT_HEADERS.eventId]: z.string().describe('Same as the payload id.'),
    [EVENT_HEADERS.eventType]: z.string().describe('Same as the payload type.'),
    [EVENT_HEADERS.schemaVersion]: z.string().regex(/^[1-9]\d*$/).describe('Same as the payload schemaVersion.'),
    [EVENT_HEADERS.correlationId]: z.string().describe('Same as the payload correlationId.'),
    [EVENT_HEADERS.contentType]: z.literal(EVENT_CONTENT_TYPE),
  })
  .meta({
    id: 'EventHeaders',
    description: 'Kafka headers of an event message. Other headers may be present and must be ignored.',
  });

export const DeadLetterHeadersSchema = z
  .looseObject({
    [DLQ_HEADERS.reason]: z.string().max(MAX_DLQ_REASON_LENGTH),
    [DLQ_HEADERS.consumerGroup]: z.string().min(1).max(255),
    [DLQ_HEADERS.originTopic]: z.string().max(249),
    [DLQ_HEADERS.originPartition]: z.string().regex(/^(0|[1-9]\d*)$/),
    [DLQ_HEADERS.originOffset]: z.string().regex(/^(0|[1-9]\d*)$/),
    [DLQ_HEADERS.attempts]: z.string().regex(/^[1-9]\d*$/),
    [DLQ_HEADERS.failedAt]: z.iso.datetime({ offset: true }),
  })
  .meta({
    id: 'DeadLetterHeaders',
    description: "Kafka headers of a dead-letter message, beside the original message's own headers.",
  });

export interface TraceContext {
  traceId: string;
  parentId: string;
  sampled: boolean;
}

/** Parses a traceparent header; undefined when it is absent or malformed (W3C: then start a new trace). */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT_PATTERN.exec(value);
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', extra] = match;
  // Version ff is forbidden; version 00 has exactly four fields; later versions may append more.
  if (version === 'ff' || (version === '00' && extra !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export function buildTraceparent(context: TraceContext): string {
  const value = `00-${context.traceId}-${context.parentId}-${context.sampled ? '01' : '00'}`;
  if (parseTraceparent(value) === undefined) {
    throw new ContractError(
      'invalid_header',
      'trace context needs a 32-hex-digit traceId and a 16-hex-digit parentId, lower case and not all zero',
    );
  }
  return value;
}

/** A new trace (when no traceparent came in). */
export function newTraceContext(sampled = true): TraceContext {
  return { traceId: randomNonZeroHex(16), parentId: randomNonZeroHex(8), sampled };
}

/** The context for work done on behalf of `parent`: same trace, a new span id. */
export function childTraceContext(parent: TraceContext): TraceContext {
  return { traceId: parent.traceId, parentId: randomNonZeroHex(8), sampled: parent.sampled };
}

function randomNonZeroHex(byteCount: number): string {
  for (;;) {
    const hex = randomBytes(byteCount).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** Headers for an event message; traceparent is validated, tracestate passed through. */
export function eventHeaders(
  event: FinmeshEvent,
  trace?: { traceparent?: string; tracestate?: string },
): Record<string, string> {
  const headers: Record<string, string> = {
    [EVENT_HEADERS.eventId]: event.id,
    [EVENT_HEADERS.eventType]: event.type,
    [EVENT_HEADERS.schemaVersion]: String(event.schemaVersion),
    [EVENT_HEADERS.correlationId]: event.correlationId,
    [EVENT_HEADERS.contentType]: EVENT_CONTENT_TYPE,
  };
  if (trace?.traceparent !== undefined) {
    const context = parseTraceparent(trace.traceparent);
    if (context === undefined) throw new ContractError('invalid_header', 'traceparent is not a valid W3C traceparent');
    headers[EVENT_HEADERS.traceparent] = buildTraceparent(context);
    if (trace.tracestate !== undefined) headers[EVENT_HEADERS.tracestate] = trace.tracestate;
  }
  return headers;
}

export interface DeadLetterInfo {
  reason: string;
  originTopic: string;
  originPartition: number;
  originOffset: string;
  consumerGroup: string;
  attempts: number;
  failedAt: string;
}

/** The DLQ headers for a poison message; merge them over the original message's headers. */
export function deadLetterHeaders(info: DeadLetterInfo): Record<string, string> {
  const reason =
    info.reason.length > MAX_DLQ_REASON_LENGTH ? `${info.reason.slice(0, MAX_DLQ_REASON_LENGTH - 1)}…` : info.reason;
  const headers = {
    [DLQ_HEADERS.reason]: reason,
    [DLQ_HEADERS.originTopic]: info.originTopic,
    [DLQ_HEADERS.originPartition]: String(info.originPartition),
    [DLQ_HEADERS.originOffset]: info.originOffset,
    [DLQ_HEADERS.consumerGroup]: info.consumerGroup,
    [DLQ_HEADERS.attempts]: String(info.attempts),
    [DLQ_HEADERS.failedAt]: info.failedAt,
  };
  const checked = DeadLetterHeadersSchema.safeParse(headers);
  if (!checked.success) {
    const fields = checked.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ContractError('invalid_header', `dead-letter headers are malformed: ${fields}`);
  }
  return headers;
}

/** Kafka header values as kafkajs delivers them. */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Reads the DLQ headers of a dead-letter message (e.g. for a replay tool). */
export function parseDeadLetterHeaders(headers: Readonly<Record<string, KafkaHeaderValue>>): DeadLetterInfo {
  const read = (name: string): string | undefined => headerText(headers[name]);
  const values = Object.fromEntries(Object.values(DLQ_HEADERS).map((name) => [name, read(name)]));
  const checked = DeadLetterHeadersSchema.safeParse(values);
  if (!checked.success) {
    const fields = checked.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ContractError('invalid_header', `dead-letter headers are missing or malformed: ${fields}`);
  }
  const parsed = checked.data;
  return {
    reason: parsed[DLQ_HEADERS.reason],
    originTopic: parsed[DLQ_HEADERS.originTopic],
    originPartition: Number(parsed[DLQ_HEADERS.originPartition]),
    originOffset: parsed[DLQ_HEADERS.originOffset],
    consumerGroup: parsed[DLQ_HEADERS.consumerGroup],
    attempts: Number(parsed[DLQ_HEADERS.attempts]),
    failedAt: parsed[DLQ_HEADERS.failedAt],
  };
}

/** The text of a header value; the last one when a header is repeated. */
export function headerText(value: KafkaHeaderValue): string | undefined {
  const single = Array.isArray(value) ? value[value.length - 1] : value;
  if (single === undefined) return undefined;
  return typeof single === 'string' ? single : single.toString('utf8');
}
