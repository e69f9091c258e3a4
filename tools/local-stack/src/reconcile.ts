/**
 * The ledger's balances next to the provider sandbox's ground truth, account by account.
 * Pure: the monitor fetches both sides (ledger `GET /v1/balances`, sandbox
 * `GET /_admin/ground-truth?transactions=false`) and this decides what agrees.
 */

export interface MoneyValue {
  amount: string;
  asset: string;
}

/** One account of the sandbox's `/_admin/ground-truth` answer (the fields used here). */
export interface GroundTruthAccount {
  provider: string;
  accountId: string;
  /** The provider's identifiers for the account (IBAN…); a connector may key the account by one of them. */
  references?: Record<string, string>;
  asset: string;
  status: string;
  balance: MoneyValue;
}

export interface GroundTruth {
  asOf: string;
  providers: Record<string, GroundTruthAccount[] | undefined>;
}

/** One row of the ledger's `GET /v1/balances` answer (the fields used here). */
export interface LedgerBalance {
  providerAccountKey: string | null;
  asset: string;
  booked: MoneyValue;
  held: MoneyValue;
}

export type ComparisonState =
  /** The ledger's booked balance is the provider's balance. */
  | 'equal'
  | 'differs'
  /** The provider has the account, the ledger has not seen it (yet). */
  | 'missing'
  /** No connector of this provider runs, so the ledger cannot know the account. */
  | 'no-connector'
  /** The ledger has an account the sandbox does not know. */
  | 'ledger-only'
  /** Not finmesh's to know (another PSU's account at INDEXO, outside the consent). */
  | 'out-of-scope';

export interface AccountComparison {
  provider: string;
  accountId: string;
  asset: string;
  truth: string | undefined;
  ledger: string | undefined;
  held: string | undefined;
  state: ComparisonState;
}

export interface ProviderComparison {
  provider: string;
  connected: boolean;
  accounts: number;
  equal: number;
  differs: number;
  missing: number;
  ledgerOnly: number;
  outOfScope: number;
}

export interface Reconciliation {
  accounts: AccountComparison[];
  providers: ProviderComparison[];
  /** Every account of every connected provider is equal, and there is at least one. */
  allEqual: boolean;
}

/** Compares per provider account and asset; providers without a connector are listed but not judged. */
export function reconcile(
  truth: GroundTruth,
  ledger: readonly LedgerBalance[],
  connectedProviders: ReadonlySet<string>,
  inScope: (account: GroundTruthAccount) => boolean = () => true,
): Reconciliation {
  const ledgerByKey = new Map<string, LedgerBalance>();
  for (const balance of ledger) {
    if (balance.providerAccountKey !== null) ledgerByKey.set(`${balance.providerAccountKey}|${balance.asset}`, balance);
  }
  const accounts: AccountComparison[] = [];
  const seen = new Set<string>();
  for (const [provider, list] of Object.entries(truth.providers)) {
    for (const account of list ?? []) {
      // The ledger knows the account by the id the connector chose: the provider's id or one of its references.
      const ids = [account.accountId, ...Object.values(account.references ?? {})];
      const key = ids.map((id) => `${provider}:${id}|${account.balance.asset}`).find((candidate) => ledgerByKey.has(candidate));
      if (key !== undefined) seen.add(key);
      const booked = key === undefined ? undefined : ledgerByKey.get(key);
      const connected = connectedProviders.has(provider);
      let state: ComparisonState;
      if (booked !== undefined) state = booked.booked.amount === account.balance.amount ? 'equal' : 'differs';
      else if (!connected) state = 'no-connector';
      else state = inScope(account) ? 'missing' : 'out-of-scope';
      accounts.push({
        provider,
        accountId: key === undefined ? account.accountId : key.slice(provider.length + 1, key.lastIndexOf('|')),
        asset: account.balance.asset,
        truth: account.balance.amount,
        ledger: booked?.booked.amount,
        held: booked?.held.amount,
        state,
      });
    }
  }
  for (const [key, balance] of ledgerByKey) {
    if (seen.has(key) || balance.providerAccountKey === null) continue;
    const separator = balance.providerAccountKey.indexOf(':');
    accounts.push({
      provider: balance.providerAccountKey.slice(0, separator),
      accountId: balance.providerAccountKey.slice(separator + 1),
      asset: balance.asset,
      truth: undefined,
      ledger: balance.booked.amount,
      held: balance.held.amount,
      state: 'ledger-only',
    });
  }
  accounts.sort((a, b) => a.provider.localeCompare(b.provider) || a.accountId.localeCompare(b.accountId) || a.asset.localeCompare(b.asset));

  const providerNames = [...new Set(accounts.map((account) => account.provider))].sort();
  const providers = providerNames.map((provider): ProviderComparison => {
    const own = accounts.filter((account) => account.provider === provider);
    return {
      provider,
      connected: connectedProviders.has(provider),
      accounts: own.length,
      equal: own.filter((account) => account.state === 'equal').length,
      differs: own.filter((account) => account.state === 'differs').length,
      missing: own.filter((account) => account.state === 'missing').length,
      ledgerOnly: own.filter((account) => account.state === 'ledger-only').length,
      outOfScope: own.filter((account) => account.state === 'out-of-scope').length,
    };
  });
  const judged = accounts.filter((account) => connectedProviders.has(account.provider) && account.state !== 'out-of-scope');
  return { accounts, providers, allEqual: judged.length > 0 && judged.every((account) => account.state === 'equal') };
}

/** Minor units as a decimal text in the asset's precision: `12345` of `EUR/2` → `123.45`. */
export function formatMinorUnits(amount: string, asset: string): string {
  const precision = Number.parseInt(asset.split('/')[1] ?? '0', 10);
  const negative = amount.startsWith('-');
  const digits = (negative ? amount.slice(1) : amount).padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  const fraction = precision > 0 ? `.${digits.slice(digits.length - precision)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
