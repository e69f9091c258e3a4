import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from './providers';
import { Random } from './random';

/**
 * Injected faults, scoped to a provider and optionally to one route, HTTP method or operation
 * (an Indodax TAPI method, a callback event type). Each rule draws from its own seeded random
 * stream, so a given seed and request sequence always fails the same requests.
 */
export const HTTP_FAULT_KINDS = ['latency', 'error', 'rate_limit', 'timeout', 'truncate', 'malformed'] as const;
export const CALLBACK_FAULT_KINDS = ['callback_duplicate', 'callback_reorder', 'callback_down'] as const;
export type HttpFaultKind = (typeof HTTP_FAULT_KINDS)[number];
export type CallbackFaultKind = (typeof CALLBACK_FAULT_KINDS)[number];
export type FaultKind = HttpFaultKind | CallbackFaultKind;

export const faultSpecSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    kind: z.enum([...HTTP_FAULT_KINDS, ...CALLBACK_FAULT_KINDS]),
    /** A route pattern below the provider's base path (`/v1/accounts/:accountId/balance`) or a literal path. */
    route: z.string().startsWith('/').optional(),
    httpMethod: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .transform((value) => value.toUpperCase())
      .optional(),
    /** Indodax TAPI method (`trade`), or a callback's event type. */
    operation: z.string().min(1).optional(),
    probability: z.number().min(0).max(1).default(1),
    /** Fire at most this many times, then the rule stays listed but inert. */
    count: z.number().int().positive().optional(),
    /** latency: added delay; timeout: how long the request is held before the connection is dropped. */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** error: the 5xx status (default 503); rate_limit: the status (default 429). */
    status: z.number().int().min(400).max(599).optional(),
    retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    /** callback_duplicate: how many times each callback is delivered (default 2). */
    copies: z.number().int().min(2).max(10).optional(),
    /** callback_reorder: callbacks held until this many are waiting, then sent newest first (default 2). */
    holdCount: z.number().int().min(2).max(100).optional(),
    seed: z.string().min(1).optional(),
  })
  .strict();

export type FaultSpec = z.input<typeof faultSpecSchema>;
type ParsedFaultSpec = z.output<typeof faultSpecSchema>;

export interface FaultRule extends ParsedFaultSpec {
  readonly id: string;
  fired: number;
}

export interface FaultScope {
  provider: ProviderId;
  /** Route pattern below the provider base, when the request matched a route. */
  routePattern?: string;
  /** The request path below the provider base. */
  path?: string;
  httpMethod?: string;
  operation?: string;
}

export class FaultRegistry {
  private readonly rules = new Map<string, { rule: FaultRule; random: Random }>();
  private nextId = 1;

  constructor(private readonly sandboxSeed: string) {}

  add(spec: FaultSpec): FaultRule {
    const parsed = faultSpecSchema.parse(spec);
    const id = `fault_${this.nextId++}`;
    const rule: FaultRule = { ...parsed, id, fired: 0 };
    this.rules.set(id, { rule, random: new Random(parsed.seed ?? `${this.sandboxSeed}/fault/${id}`) });
    return rule;
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  clear(provider?: ProviderId): number {
    let removed = 0;
    for (const [id, { rule }] of this.rules) {
      if (provider === undefined || rule.provider === provider) {
        this.rules.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  list(): FaultRule[] {
    return [...this.rules.values()].map(({ rule }) => rule);
  }

  /**
   * The rules of the given kinds that fire for this request or callback. Each matching rule
   * decides independently (its probability, its remaining count) and counts the firing.
   */
  fire<K extends FaultKind>(scope: FaultScope, kinds: readonly K[]): Array<FaultRule & { kind: K }> {
    const fired: Array<FaultRule & { kind: K }> = [];
    for (const { rule, random } of this.rules.values()) {
      if (!isKind(rule, kinds) || !matches(rule, scope)) continue;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.probability < 1 && !random.chance(rule.probability)) continue;
      rule.fired += 1;
      fired.push(rule);
    }
    return fired;
  }
}

function isKind<K extends FaultKind>(rule: FaultRule, kinds: readonly K[]): rule is FaultRule & { kind: K } {
  return (kinds as readonly FaultKind[]).includes(rule.kind);
}

function matches(rule: FaultRule, scope: FaultScope): boolean {
  if (rule.provider !== scope.provider) return false;
  if (rule.route !== undefined && rule.route !== scope.routePattern && rule.route !== scope.path) return false;
  if (rule.httpMethod !== undefined && rule.httpMethod !== scope.httpMethod) return false;
  if (rule.operation !== undefined && rule.operation !== scope.operation) return false;
  return true;
}
