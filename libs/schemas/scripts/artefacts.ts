import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { EVENT_SCHEMAS, EVENT_TYPES, type EventType } from '../src/events';
import { EXAMPLE_EVENTS, EXAMPLE_TRACEPARENT } from '../src/examples';
import { eventHeaders } from '../src/headers';
import { DLQ_PARTITIONS, DLQ_RETENTION_MS, DLQ_SUFFIX, TOPICS } from '../src/topics';
import { renderDocSections } from './doc-sections';

/**
 * Everything derived from the zod schemas and the registry: JSON Schema per event, the AsyncAPI
 * document, and the generated sections of docs/events.md. `npm run generate:schemas` writes them;
 * a test regenerates them in memory and fails when the committed files differ.
 */
export interface Artefact {
  /** Path relative to the workspace root. */
  path: string;
  content: string;
}

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const JSON_SCHEMA_DIR = 'libs/schemas/generated/json-schema';
export const ASYNCAPI_PATH = 'libs/schemas/generated/asyncapi.yaml';
export const EVENTS_DOC_PATH = 'docs/events.md';
export const REGENERATE_COMMAND = 'npm run generate:schemas';

const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';
const GENERATED_NOTE = `Generated from libs/schemas by \`${REGENERATE_COMMAND}\`; do not edit.`;
/** AsyncAPI info.version: the contract version, raised when a topic, schema or header changes. */
export const CONTRACT_VERSION = '1.0.0';

export function generateArtefacts(readWorkspaceFile: (relativePath: string) => string = readFromWorkspace): Artefact[] {
  return [
    ...EVENT_TYPES.map((type) => ({ path: jsonSchemaPath(type), content: renderJson(eventJsonSchema(type)) })),
    { path: ASYNCAPI_PATH, content: renderAsyncApi() },
    { path: EVENTS_DOC_PATH, content: renderDocSections(readWorkspaceFile(EVENTS_DOC_PATH)) },
  ];
}

export function jsonSchemaPath(type: EventType): string {
  return `${JSON_SCHEMA_DIR}/${type}.v${EXAMPLE_EVENTS[type].schemaVersion}.json`;
}

function readFromWorkspace(relativePath: string): string {
  return readFileSync(path.join(WORKSPACE_ROOT, relativePath), 'utf8');
}

function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function eventJsonSchema(type: EventType): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(EVENT_SCHEMAS[type], { target: 'draft-2020-12' });
  return { $schema, $comment: GENERATED_NOTE, ...rest };
}

/**
 * Every named schema (zod `.meta({ id })`) that the messages use, as AsyncAPI components
 * referencing each other. Only what is reachable from the payloads and headers is kept, so a
 * schema some other module registers globally never leaks into the contract.
 */
function componentSchemas(roots: readonly string[]): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-07',
    uri: (id) => `${COMPONENT_SCHEMA_PREFIX}${id}`,
  });
  const reachable = new Set<string>();
  const pending = [...roots];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (reachable.has(id)) continue;
    const schema = schemas[id];
    if (schema === undefined) throw new Error(`no schema is registered with id ${id}`);
    reachable.add(id);
    pending.push(...referencedComponents(schema));
  }
  const components: Record<string, unknown> = {};
  for (const id of [...reachable].sort()) {
    const { $schema: _schema, $id: _id, ...schema } = schemas[id] ?? {};
    components[id] = schema;
  }
  return components;
}

function referencedComponents(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedComponents);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' && child.startsWith(COMPONENT_SCHEMA_PREFIX)
      ? [child.slice(COMPONENT_SCHEMA_PREFIX.length)]
      : referencedComponents(child),
  );
}

const EVENT_HEADERS_SCHEMA_ID = 'EventHeaders';
const DEAD_LETTER_HEADERS_SCHEMA_ID = 'DeadLetterHeaders';

function eventSchemaId(type: EventType): string {
  return `${pascalCase(type)}Event`;
}

function camelCase(type: EventType): string {
  return type.replace(/[._]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function pascalCase(type: EventType): string {
  const camel = camelCase(type);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

function renderAsyncApi(): string {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const type of EVENT_TYPES) {
    const topic = TOPICS[type];
    const name = camelCase(type);
    const deadLetterName = `${name}DeadLetter`;
    const example = EXAMPLE_EVENTS[type];

    channels[name] = {
      address: topic.baseName,
      title: topic.baseName,
      description: `${type} events, keyed by ${topic.keyDescription}; ordering holds per key. Tests put a prefix before the name (topicName(base, prefix)).`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      bindings: {
        kafka: {
          topic: topic.baseName,
          partitions: topic.partitions,
          topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': topic.retentionMs },
          bindingVersion: '0.5.0',
        },
      },
    };
    channels[deadLetterName] = {
      address: `${topic.baseName}${DLQ_SUFFIX}`,
      title: `${topic.baseName}${DLQ_SUFFIX}`,
      description: `Messages of ${topic.baseName} that could not be processed, unchanged, with the failure in the DLQ headers.`,
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      bindings: {
        kafka: {
          topic: `${topic.baseName}${DLQ_SUFFIX}`,
          partitions: DLQ_PARTITIONS,
          topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': DLQ_RETENTION_MS },
          bindingVersion: '0.5.0',
        },
      },
    };

    operations[`send${pascalCase(type)}`] = {
      action: 'send',
      title: `Publish ${type}`,
      summary: 'Validate with validateForProduce (toKafkaMessage does), key with the partition key, acks=all.',
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
    };
    operations[`receive${pascalCase(type)}`] = {
      action: 'receive',
      title: `Consume ${type}`,
      summary: 'Validate every message with parseConsumedEvent; dedupe on the event id; dead-letter what fails.',
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
    };
    operations[`send${pascalCase(type)}DeadLetter`] = {
      action: 'send',
      title: `Dead-letter ${type}`,
      channel: { $ref: `#/channels/${deadLetterName}` },
      messages: [{ $ref: `#/channels/${deadLetterName}/messages/deadLetter` }],
    };

    messages[name] = {
      name: type,
      title: `${type} v${example.schemaVersion}`,
      contentType: 'application/json',
      headers: { $ref: `${COMPONENT_SCHEMA_PREFIX}${EVENT_HEADERS_SCHEMA_ID}` },
      payload: { $ref: `${COMPONENT_SCHEMA_PREFIX}${eventSchemaId(type)}` },
      correlationId: { location: '$message.payload#/correlationId' },
      bindings: {
        kafka: {
          key: { type: 'string', description: topic.keyDescription },
          bindingVersion: '0.5.0',
        },
      },
      examples: [
        {
          name: `${name}Example`,
          headers: eventHeaders(example, { traceparent: EXAMPLE_TRACEPARENT }),
          payload: example,
        },
      ],
    };
  }

  messages['deadLetter'] = {
    name: 'dead-letter',
    title: 'Dead-lettered message',
    contentType: 'application/octet-stream',
    headers: { $ref: `${COMPONENT_SCHEMA_PREFIX}${DEAD_LETTER_HEADERS_SCHEMA_ID}` },
    payload: {
      type: 'string',
      format: 'binary',
      description: 'The original message value, byte for byte (the key is the original key too).',
    },
  };

  const document = {
    asyncapi: '3.0.0',
    info: {
      title: 'finmesh events',
      version: CONTRACT_VERSION,
      description: `The finmesh event contract: normalized provider facts on Kafka. See docs/events.md. ${GENERATED_NOTE}`,
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'The single-node broker of tests and local runs; elsewhere KAFKA_BROKERS names the cluster.',
      },
    },
    channels,
    operations,
    components: {
      schemas: componentSchemas([
        ...EVENT_TYPES.map(eventSchemaId),
        EVENT_HEADERS_SCHEMA_ID,
        DEAD_LETTER_HEADERS_SCHEMA_ID,
      ]),
      messages,
    },
  };
  return `# ${GENERATED_NOTE}\n${stringifyYaml(document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}
