import { EVENT_IDENTITY_FIELDS, EVENT_TYPES } from '../src/events';
import { EXAMPLE_EVENTS } from '../src/examples';
import { DLQ_HEADERS, EVENT_HEADERS } from '../src/headers';
import {
  ALLOWED_PAYMENT_TRANSITIONS,
  PAYMENT_STATUS_MEANING,
  PAYMENT_STATUS_RANK,
  PAYMENT_STATUSES,
  isTerminalPaymentStatus,
} from '../src/payment-status';
import { STATUS_SCHEME_NAMES, STATUS_SCHEMES } from '../src/status-mappings';
import { DLQ_PARTITIONS, DLQ_RETENTION_MS, DLQ_SUFFIX, TOPIC_DEFINITIONS } from '../src/topics';

/**
 * The parts of docs/events.md that restate code (tables, examples) are generated between
 * `<!-- generated:<name>:start -->` and `<!-- generated:<name>:end -->` markers, so the document
 * cannot drift from the contract. The prose around them is written by hand.
 */
const SECTIONS: Readonly<Record<string, () => string>> = {
  topics: renderTopics,
  'kafka-headers': renderKafkaHeaders,
  'dlq-headers': renderDeadLetterHeaders,
  'status-machine': renderStatusMachine,
  'status-mappings': renderStatusMappings,
  'event-identity': renderEventIdentity,
  examples: renderExamples,
};

export function renderDocSections(document: string): string {
  let rendered = document;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name}:start -->`;
    const end = `<!-- generated:${name}:end -->`;
    const startIndex = rendered.indexOf(start);
    const endIndex = rendered.indexOf(end);
    if (startIndex === -1 || endIndex < startIndex) {
      throw new Error(`docs/events.md lacks the markers ${start} … ${end}`);
    }
    rendered = `${rendered.slice(0, startIndex + start.length)}\n${render()}\n${rendered.slice(endIndex)}`;
  }
  return rendered;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function code(text: string): string {
  return `\`${text}\``;
}

function days(milliseconds: number): string {
  return `${milliseconds / (24 * 60 * 60 * 1000)} days`;
}

function renderTopics(): string {
  const rows = TOPIC_DEFINITIONS.map((topic) => [
    code(topic.baseName),
    code(topic.eventType),
    topic.keyDescription,
    String(topic.partitions),
    days(topic.retentionMs),
  ]);
  return [
    table(['topic', 'event type', 'message key', 'partitions', 'retention'], rows),
    '',
    `Every topic has a dead-letter topic ${code(`<topic>${DLQ_SUFFIX}`)} with ${DLQ_PARTITIONS} partition and ${days(DLQ_RETENTION_MS)} retention.`,
  ].join('\n');
}

function renderKafkaHeaders(): string {
  const meaning: Record<keyof typeof EVENT_HEADERS, string> = {
    traceparent: 'W3C Trace Context `00-<trace-id>-<parent-id>-<flags>` (optional; see parseTraceparent / buildTraceparent)',
    tracestate: 'W3C vendor trace state, passed through untouched (optional)',
    eventId: 'the payload `id`',
    eventType: 'the payload `type`',
    schemaVersion: 'the payload `schemaVersion`',
    correlationId: 'the payload `correlationId`',
    contentType: '`application/json`',
  };
  const keys = Object.keys(EVENT_HEADERS) as (keyof typeof EVENT_HEADERS)[];
  return table(
    ['header', 'constant', 'value'],
    keys.map((key) => [code(EVENT_HEADERS[key]), code(`EVENT_HEADERS.${key}`), meaning[key]]),
  );
}

function renderDeadLetterHeaders(): string {
  const meaning: Record<keyof typeof DLQ_HEADERS, string> = {
    reason: 'why it failed: for an invalid event, every issue as `path: rule` (never a field value)',
    originTopic: 'the topic the message was read from',
    originPartition: 'its partition (decimal)',
    originOffset: 'its offset (decimal string)',
    consumerGroup: 'the consumer group that gave up on it',
    attempts: 'how many times the consumer tried',
    failedAt: 'ISO 8601 time it was dead-lettered',
  };
  const keys = Object.keys(DLQ_HEADERS) as (keyof typeof DLQ_HEADERS)[];
  return table(
    ['header', 'constant', 'value'],
    keys.map((key) => [code(DLQ_HEADERS[key]), code(`DLQ_HEADERS.${key}`), meaning[key]]),
  );
}

function renderStatusMachine(): string {
  return table(
    ['status', 'rank', 'terminal', 'meaning', 'may move to'],
    PAYMENT_STATUSES.map((status) => [
      code(status),
      String(PAYMENT_STATUS_RANK[status]),
      isTerminalPaymentStatus(status) ? 'yes' : 'no',
      PAYMENT_STATUS_MEANING[status],
      ALLOWED_PAYMENT_TRANSITIONS[status].map(code).join(', ') || '—',
    ]),
  );
}

function renderStatusMappings(): string {
  return STATUS_SCHEME_NAMES.map((name) => {
    const scheme = STATUS_SCHEMES[name];
    const rows = Object.entries(scheme.codes).map(([raw, mapping]) => [
      code(raw),
      code(mapping.status),
      mapping.origin,
      mapping.meaning,
    ]);
    return [`#### ${code(name)} — ${scheme.title}`, '', table(['raw status', 'normalized', 'origin', 'meaning'], rows)].join(
      '\n',
    );
  }).join('\n\n');
}

function renderEventIdentity(): string {
  return table(
    ['event type', 'identity parts, in order'],
    EVENT_TYPES.map((type) => [code(type), EVENT_IDENTITY_FIELDS[type].map(code).join(', ')]),
  );
}

function renderExamples(): string {
  return EVENT_TYPES.map((type) =>
    [`### ${code(type)}`, '', '```json', JSON.stringify(EXAMPLE_EVENTS[type], null, 2), '```'].join('\n'),
  ).join('\n\n');
}
