import { createKafka } from '@finmesh/kafka';
import { DLQ_SUFFIX, topicSpecs } from '@finmesh/schemas';
import type { Admin } from 'kafkajs';
import { reconcile, type GroundTruth, type GroundTruthAccount, type LedgerBalance, type Reconciliation } from './reconcile';
import { HEALTH_LIVE_PATH, HEALTH_READY_PATH } from './service-registry';

/** What the live view shows, sampled every second or so. */
export interface StackSnapshot {
  at: Date;
  services: ServiceHealth[];
  topics: TopicActivity[];
  reconciliation: Reconciliation | undefined;
  /** Why the comparison is not shown (a service not ready yet…). */
  reconciliationNote: string | undefined;
  openDiscrepancies: number | undefined;
}

export type HealthState = 'ready' | 'not ready' | 'down';

export interface ServiceHealth {
  app: string;
  url: string;
  state: HealthState;
  detail?: string;
}

export interface TopicActivity {
  topic: string;
  /** Messages ever written (sum of the partitions' end offsets). */
  total: number;
  perSecond: number;
  /** Messages in the topic's dead-letter queue. */
  deadLettered: number;
}

export interface MonitorTargets {
  services: ReadonlyArray<{ app: string; url: string }>;
  ledgerUrl: string | undefined;
  sandbox: { url: string; adminToken: string } | undefined;
  connectedProviders: ReadonlySet<string>;
  /** Accounts finmesh can see at all (the others are shown as outside its access). */
  inScope(account: GroundTruthAccount): boolean;
}

/** Samples health, topic offsets and the ledger/sandbox comparison. */
export class StackMonitor {
  private readonly admin: Admin;
  private connected = false;
  private previous: { at: number; totals: Map<string, number> } | undefined;

  constructor(
    brokers: readonly string[],
    private readonly topicPrefix: string,
    private readonly targets: MonitorTargets,
  ) {
    this.admin = createKafka({ brokers: [...brokers], clientId: 'finmesh-local-stack-monitor' }).admin();
  }

  async sample(): Promise<StackSnapshot> {
    const [services, topics, comparison] = await Promise.all([
      Promise.all(this.targets.services.map((service) => probeHealth(service.app, service.url))),
      this.topicActivity(),
      this.compare(),
    ]);
    return { at: new Date(), services, topics, ...comparison };
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
  }

  /** Total messages per topic (main and DLQ) from the partitions' end offsets; rates from the last sample. */
  async offsets(): Promise<Map<string, number>> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const totals = new Map<string, number>();
    await Promise.all(
      topicSpecs(this.topicPrefix).map(async (spec) => {
        const offsets = await this.admin.fetchTopicOffsets(spec.name).catch(() => []);
        totals.set(spec.name, offsets.reduce((sum, partition) => sum + Number(partition.high), 0));
      }),
    );
    return totals;
  }

  private async topicActivity(): Promise<TopicActivity[]> {
    const now = Date.now();
    const totals = await this.offsets();
    const previous = this.previous;
    this.previous = { at: now, totals };
    const seconds = previous === undefined ? 0 : (now - previous.at) / 1000;
    return [...totals.keys()]
      .filter((name) => !name.endsWith(DLQ_SUFFIX))
      .sort()
      .map((topic) => {
        const total = totals.get(topic) ?? 0;
        const before = previous?.totals.get(topic);
        return {
          topic: topic.slice(this.topicPrefix.length),
          total,
          perSecond: before === undefined || seconds <= 0 ? 0 : (total - before) / seconds,
          deadLettered: totals.get(`${topic}${DLQ_SUFFIX}`) ?? 0,
        };
      });
  }

  /** The ledger/sandbox comparison alone (the scenario polls it). */
  async compare(): Promise<Pick<StackSnapshot, 'reconciliation' | 'reconciliationNote' | 'openDiscrepancies'>> {
    const { ledgerUrl, sandbox } = this.targets;
    if (ledgerUrl === undefined || sandbox === undefined) {
      return { reconciliation: undefined, reconciliationNote: 'needs the ledger and the provider sandbox', openDiscrepancies: undefined };
    }
    try {
      const [truth, balances, discrepancies] = await Promise.all([
        getJson<GroundTruth>(`${sandbox.url}/_admin/ground-truth?transactions=false`, { authorization: `Bearer ${sandbox.adminToken}` }),
        getJson<{ data: LedgerBalance[] }>(`${ledgerUrl}/v1/balances`),
        getJson<{ data: unknown[]; nextCursor?: string | null }>(`${ledgerUrl}/v1/discrepancies?status=open&limit=100`),
      ]);
      return {
        reconciliation: reconcile(truth, balances.data, this.targets.connectedProviders, (account) => this.targets.inScope(account)),
        reconciliationNote: undefined,
        openDiscrepancies: discrepancies.data.length,
      };
    } catch (error: unknown) {
      return { reconciliation: undefined, reconciliationNote: error instanceof Error ? error.message : String(error), openDiscrepancies: undefined };
    }
  }
}

export async function probeHealth(app: string, url: string): Promise<ServiceHealth> {
  try {
    const live = await fetch(`${url}${HEALTH_LIVE_PATH}`, { signal: AbortSignal.timeout(2_000) });
    if (!live.ok) return { app, url, state: 'down', detail: `live: HTTP ${live.status}` };
    const ready = await fetch(`${url}${HEALTH_READY_PATH}`, { signal: AbortSignal.timeout(3_000) });
    if (ready.ok) return { app, url, state: 'ready' };
    return { app, url, state: 'not ready', detail: `ready: HTTP ${ready.status}` };
  } catch (error: unknown) {
    return { app, url, state: 'down', detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url.replace(/\?.*$/, '')}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
