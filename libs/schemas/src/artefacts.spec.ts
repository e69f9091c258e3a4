import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import {
  ASYNCAPI_PATH,
  EVENTS_DOC_PATH,
  generateArtefacts,
  JSON_SCHEMA_DIR,
  jsonSchemaPath,
  REGENERATE_COMMAND,
  WORKSPACE_ROOT,
} from '../scripts/artefacts';
import { EVENT_TYPES, type EventType } from './events';
import { EXAMPLE_EVENTS } from './examples';
import { TOPICS } from './topics';
import { validateForProduce } from './validation';

function readWorkspaceFile(relativePath: string): string | undefined {
  try {
    return readFileSync(path.join(WORKSPACE_ROOT, relativePath), 'utf8');
  } catch {
    return undefined;
  }
}

describe('generated artefacts', () => {
  const artefacts = generateArtefacts();

  it.each(artefacts.map((artefact) => [artefact.path, artefact.content]))(
    '%s is up to date',
    (relativePath, content) => {
      const committed = readWorkspaceFile(relativePath);
      if (committed !== content) {
        throw new Error(
          `${relativePath} is ${committed === undefined ? 'missing' : 'out of date'}: run ${REGENERATE_COMMAND} and commit the result`,
        );
      }
    },
  );

  it('has no JSON Schema file without an event type', () => {
    const expected = EVENT_TYPES.map((type) => path.basename(jsonSchemaPath(type))).sort();
    const present = readdirSync(path.join(WORKSPACE_ROOT, JSON_SCHEMA_DIR)).sort();
    if (JSON.stringify(present) !== JSON.stringify(expected)) {
      throw new Error(`${JSON_SCHEMA_DIR} holds ${present.join(', ')}; run ${REGENERATE_COMMAND}`);
    }
  });

  it.each(EVENT_TYPES)('the %s JSON Schema is strict and requires the envelope', (type) => {
    const schema = JSON.parse(readWorkspaceFile(jsonSchemaPath(type)) ?? '{}') as {
      $ref: string;
      $defs: Record<string, { additionalProperties?: boolean; required?: string[]; properties?: Record<string, unknown> }>;
    };
    const eventDefinition = schema.$defs[schema.$ref.replace('#/$defs/', '')];
    expect(eventDefinition?.additionalProperties).toBe(false);
    expect(eventDefinition?.required).toEqual(
      expect.arrayContaining(['id', 'type', 'schemaVersion', 'provider', 'source', 'occurredAt', 'observedAt', 'correlationId', 'data']),
    );
    for (const definition of Object.values(schema.$defs)) {
      if (definition.properties !== undefined) expect(definition.additionalProperties).toBe(false);
    }
  });
});

describe('AsyncAPI document', () => {
  const text = readWorkspaceFile(ASYNCAPI_PATH) ?? '';

  it('parses with @asyncapi/parser without error diagnostics', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    // Severity 0 is error; 1 warning, 2 information, 3 hint.
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document?.channels().length).toBe(EVENT_TYPES.length * 2);
    expect(document?.operations().length).toBe(EVENT_TYPES.length * 3);
  });

  it('describes every topic with its key, partitions, retention, headers and an example', () => {
    const asyncApi = parseYaml(text) as {
      asyncapi: string;
      channels: Record<string, { address: string; bindings: { kafka: { partitions: number; topicConfiguration: Record<string, unknown> } } }>;
      components: {
        messages: Record<string, { headers: { $ref: string }; bindings?: { kafka: { key: unknown } }; examples?: { payload: unknown; headers: Record<string, string> }[] }>;
        schemas: Record<string, { properties?: Record<string, unknown> }>;
      };
    };
    expect(asyncApi.asyncapi).toBe('3.0.0');
    const byAddress = new Map(Object.values(asyncApi.channels).map((channel) => [channel.address, channel]));
    for (const type of EVENT_TYPES) {
      const topic = TOPICS[type];
      expect(byAddress.get(topic.baseName)?.bindings.kafka.partitions).toBe(topic.partitions);
      expect(byAddress.get(topic.baseName)?.bindings.kafka.topicConfiguration['retention.ms']).toBe(topic.retentionMs);
      expect(byAddress.get(`${topic.baseName}.dlq`)?.bindings.kafka.partitions).toBe(1);
    }
    const eventMessages = Object.entries(asyncApi.components.messages).filter(([name]) => name !== 'deadLetter');
    expect(eventMessages).toHaveLength(EVENT_TYPES.length);
    for (const [, message] of eventMessages) {
      expect(message.headers.$ref).toBe('#/components/schemas/EventHeaders');
      expect(message.bindings?.kafka.key).toBeDefined();
      const example = message.examples?.[0];
      expect(validateForProduce(example?.payload)).toEqual(example?.payload);
      expect(example?.headers['traceparent']).toMatch(/^00-/);
    }
    expect(asyncApi.components.schemas['EventHeaders']?.properties).toHaveProperty('traceparent');
    expect(asyncApi.components.schemas['DeadLetterHeaders']?.properties).toHaveProperty('finmesh-dlq-reason');
  });
});

describe('docs/events.md', () => {
  const document = readWorkspaceFile(EVENTS_DOC_PATH) ?? '';

  it('has one valid JSON example per event type', () => {
    const examplesSection = document.slice(document.indexOf('<!-- generated:examples:start -->'));
    const blocks = [...examplesSection.matchAll(/### `([a-z._]+)`\n\n```json\n([\s\S]*?)\n```/g)];
    const types = blocks.map((block) => block[1]);
    expect(types.sort()).toEqual([...EVENT_TYPES].sort());
    for (const [, type, json] of blocks) {
      const event = validateForProduce(JSON.parse(json ?? ''));
      expect(event.type).toBe(type);
      expect(event).toEqual(EXAMPLE_EVENTS[type as EventType]);
    }
  });

  it('names every topic and every raw status code', () => {
    for (const type of EVENT_TYPES) expect(document).toContain(`\`${TOPICS[type].baseName}\``);
    for (const code of ['RCVD', 'ACSC', 'finalised', 'awaiting_approval', 'wait', 'success']) {
      expect(document).toContain(`\`${code}\``);
    }
  });
});
