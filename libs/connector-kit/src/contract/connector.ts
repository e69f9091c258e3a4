import type { Provider } from '@finmesh/schemas';
import {
  CONNECTOR_CAPABILITIES,
  SYNC_RESOURCES,
  type CapabilityHandlers,
  type ConnectorCapability,
  type ResourceFetcher,
  type SyncCapability,
  type SyncResource,
} from './capabilities';

/** A kind of kept resource served on the connector's API: `GET /v1/<collection>[?parentId=]`. */
export interface ResourceCollection {
  kind: string;
  /** URL segment, e.g. `external-accounts`. */
  collection: string;
  description: string;
}

export interface ConnectorDefinition<C extends ConnectorCapability> {
  /** The connector's name: its state rows, consumer group and metrics carry it (`indx`). */
  name: string;
  provider: Provider;
  /** What this connector can do; the kit calls nothing else. */
  capabilities: readonly C[];
  /** Exactly one implementation per declared capability (the type forbids extra and missing ones). */
  handlers: Pick<CapabilityHandlers, NoInfer<C>>;
  /** Kept resources served on the API. */
  collections?: readonly ResourceCollection[];
  /** Default sync interval per resource (configuration may override it). */
  syncIntervalsMs?: Partial<Record<SyncResource, number>>;
  /** One cheap authenticated call: the readiness check's "provider reachable". */
  probe?: (signal: AbortSignal) => Promise<void>;
}

export interface SyncResourceBinding {
  resource: SyncResource;
  capability: SyncCapability;
  fetcher: ResourceFetcher;
}

/** A connector as the engine sees it: capabilities checked, handlers reachable only through them. */
export class Connector {
  private readonly declared: ReadonlySet<ConnectorCapability>;

  private constructor(
    readonly name: string,
    readonly provider: Provider,
    private readonly handlers: Partial<CapabilityHandlers>,
    readonly collections: readonly ResourceCollection[],
    readonly syncIntervalsMs: Partial<Record<SyncResource, number>>,
    readonly probe: ((signal: AbortSignal) => Promise<void>) | undefined,
    capabilities: readonly ConnectorCapability[],
  ) {
    this.declared = new Set(capabilities);
  }

  static from<C extends ConnectorCapability>(definition: ConnectorDefinition<C>): Connector {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(definition.name)) {
      throw new Error(`connector name "${definition.name}" must be lower-case letters, digits and dashes`);
    }
    const handlers = definition.handlers as Partial<CapabilityHandlers>;
    for (const capability of definition.capabilities) {
      if (!CONNECTOR_CAPABILITIES.includes(capability)) throw new Error(`unknown capability ${String(capability)}`);
      if (handlers[capability] === undefined) throw new Error(`connector ${definition.name} declares ${capability} but does not implement it`);
    }
    for (const key of Object.keys(handlers)) {
      if (!(definition.capabilities as readonly string[]).includes(key)) {
        throw new Error(`connector ${definition.name} implements ${key} without declaring it`);
      }
    }
    return new Connector(
      definition.name,
      definition.provider,
      handlers,
      definition.collections ?? [],
      definition.syncIntervalsMs ?? {},
      definition.probe,
      definition.capabilities,
    );
  }

  get capabilities(): ConnectorCapability[] {
    return CONNECTOR_CAPABILITIES.filter((capability) => this.declared.has(capability));
  }

  has(capability: ConnectorCapability): boolean {
    return this.declared.has(capability);
  }

  /** The implementation of a declared capability, or undefined when the connector does not declare it. */
  handler<K extends ConnectorCapability>(capability: K): CapabilityHandlers[K] | undefined {
    return this.declared.has(capability) ? this.handlers[capability] : undefined;
  }

  /** The declared sync resources in cycle order. */
  syncResources(): SyncResourceBinding[] {
    const bindings: SyncResourceBinding[] = [];
    for (const resource of SYNC_RESOURCES) {
      const capability = SYNC_CAPABILITY_OF[resource];
      const fetcher = this.handler(capability);
      if (fetcher) bindings.push({ resource, capability, fetcher });
    }
    return bindings;
  }
}

const SYNC_CAPABILITY_OF: Readonly<Record<SyncResource, SyncCapability>> = {
  accounts: 'fetch_accounts',
  external_accounts: 'fetch_external_accounts',
  balances: 'fetch_balances',
  transactions: 'fetch_transactions',
};

/** Declares a connector; see ConnectorDefinition. */
export function defineConnector<const C extends ConnectorCapability>(definition: ConnectorDefinition<C>): Connector {
  return Connector.from(definition);
}
