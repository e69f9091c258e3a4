import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { topicSpecs } from '@finmesh/schemas';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in milliseconds; -1 keeps messages forever. */
  retentionMs: number;
  /** Extra topic-level configuration (cleanup.policy …). */
  config?: Record<string, string>;
}

export interface ProvisionResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the topics that do not exist yet and leaves the others as they are. An existing topic
 * with fewer partitions than its spec is reported, not altered: adding partitions changes the
 * key → partition mapping and so the ordering guarantees downstream consumers rely on.
 */
export async function provisionTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  replicationFactor = 1,
): Promise<ProvisionResult> {
  const existingTopics = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existingTopics.has(spec.name));
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor,
      configEntries: Object.entries({ 'retention.ms': String(spec.retentionMs), ...spec.config }).map(
        ([name, value]) => ({ name, value }),
      ),
    }));
    // Another replica may create the same topic at the same moment; that is not an error.
    await admin.createTopics({ topics, waitForLeaders: false }).catch((error: unknown) => {
      if (!isTopicExistsError(error)) throw error;
    });
    await waitForLeaders(admin, missing.map((spec) => spec.name));
  }
  const present = specs.filter((spec) => existingTopics.has(spec.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    for (const topic of metadata.topics) {
      const spec = present.find((s) => s.name === topic.name);
      if (spec && topic.partitions.length < spec.partitions) {
        throw new Error(
          `topic ${topic.name} has ${topic.partitions.length} partitions but the registry asks for ${spec.partitions}; ` +
            'increase them deliberately (it remaps keys to partitions)',
        );
      }
    }
  }
  return { created: missing.map((s) => s.name), existing: present.map((s) => s.name) };
}

/**
 * Until every partition of the new topics has a leader. kafkajs's own wait (`waitForLeaders`)
 * gives up on the first "does not host this topic-partition", which a busy KRaft broker answers
 * for a moment after creating a topic; that answer is retriable, so it is retried here, for as
 * long as `timeoutMs`.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let waitingFor: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.topics.filter((topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0));
      if (leaderless.length === 0) return;
      waitingFor = `no leader yet for ${leaderless.map((topic) => topic.name).join(', ')}`;
    } catch (error: unknown) {
      if (!isRetriable(error)) throw error;
      waitingFor = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`the topics were created but are not served after ${timeoutMs} ms: ${waitingFor}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

function isTopicExistsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const withType = error as { type?: string; errors?: unknown[] };
  if (withType.type === 'TOPIC_ALREADY_EXISTS') return true;
  return Array.isArray(withType.errors) && withType.errors.length > 0 && withType.errors.every(isTopicExistsError);
}

/**
 * Creates the missing topics of the finmesh topic registry (and their DLQs) under a prefix —
 * what a service does at boot when KAFKA_PROVISION_TOPICS is set, and what npm start does.
 */
export async function provisionRegistryTopics(kafka: Kafka, topicPrefix = ''): Promise<ProvisionResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await provisionTopics(admin, topicSpecs(topicPrefix));
  } finally {
    await admin.disconnect();
  }
}
