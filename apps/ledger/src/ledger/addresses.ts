import type { AccountRef, Provider } from '@finmesh/schemas';

export type LedgerAccountKind =
  | 'provider_account'
  | 'holds'
  | 'in_flight'
  | 'external'
  | 'fees'
  | 'opening_equity'
  | 'adjustments';

/** A ledger account is an address in one asset; the same address in two assets is two accounts. */
export interface LedgerAccountSpec {
  address: string;
  asset: string;
  kind: LedgerAccountKind;
  provider: Provider;
  providerAccountKey: string | null;
}

/**
 * The chart of accounts. Provider accounts and their holds are per provider account; the
 * counterparty world, fees, money in flight and equity are per provider:
 *   providers:<p>:accounts:<id>          the provider account (booked balance)
 *   providers:<p>:accounts:<id>:holds    money reserved by in-flight payments (memo)
 *   providers:<p>:in-flight              contra of the holds
 *   providers:<p>:external               everyone outside the provider account (counterparties)
 *   providers:<p>:fees                   fees the provider charged
 *   equity:opening:<p>                   opening balances
 *   equity:adjustments:<p>               manual bookings (movements a provider reports only as balances)
 */
export const LedgerAccounts = {
  providerAccount: (ref: AccountRef, asset: string): LedgerAccountSpec => ({
    address: `providers:${ref.provider}:accounts:${ref.id}`,
    asset,
    kind: 'provider_account',
    provider: ref.provider,
    providerAccountKey: ref.key,
  }),
  holds: (ref: AccountRef, asset: string): LedgerAccountSpec => ({
    address: `providers:${ref.provider}:accounts:${ref.id}:holds`,
    asset,
    kind: 'holds',
    provider: ref.provider,
    providerAccountKey: ref.key,
  }),
  inFlight: (provider: Provider, asset: string): LedgerAccountSpec => shared(provider, asset, `providers:${provider}:in-flight`, 'in_flight'),
  external: (provider: Provider, asset: string): LedgerAccountSpec => shared(provider, asset, `providers:${provider}:external`, 'external'),
  fees: (provider: Provider, asset: string): LedgerAccountSpec => shared(provider, asset, `providers:${provider}:fees`, 'fees'),
  openingEquity: (provider: Provider, asset: string): LedgerAccountSpec =>
    shared(provider, asset, `equity:opening:${provider}`, 'opening_equity'),
  adjustments: (provider: Provider, asset: string): LedgerAccountSpec =>
    shared(provider, asset, `equity:adjustments:${provider}`, 'adjustments'),
} as const;

function shared(provider: Provider, asset: string, address: string, kind: LedgerAccountKind): LedgerAccountSpec {
  return { address, asset, kind, provider, providerAccountKey: null };
}

/** Kinds whose running balance is kept on the account row (their rows are locked per batch). */
export function hasRunningBalance(kind: LedgerAccountKind): boolean {
  return kind === 'provider_account' || kind === 'holds';
}

export function accountSpecKey(spec: Pick<LedgerAccountSpec, 'address' | 'asset'>): string {
  return `${spec.address}\u0000${spec.asset}`;
}
