/**
 * How much seeded data each provider starts with: from a handful of accounts for contract tests
 * to ~100k transactions per provider for benchmarks.
 */
export const SIZE_NAMES = ['tiny', 'small', 'medium', 'large'] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

export interface DataSize {
  /** Accounts (wallets, IBANs, Fin X accounts…) per provider; Indodax has one per currency. */
  accounts: number;
  /** Seeded history per account. */
  transactionsPerAccount: number;
  /** How far back the seeded history reaches from the start time. */
  historyDays: number;
}

export const SIZE_PRESETS: Readonly<Record<SizeName, DataSize>> = {
  tiny: { accounts: 2, transactionsPerAccount: 8, historyDays: 10 },
  small: { accounts: 4, transactionsPerAccount: 60, historyDays: 30 },
  medium: { accounts: 10, transactionsPerAccount: 1_000, historyDays: 90 },
  large: { accounts: 20, transactionsPerAccount: 5_000, historyDays: 365 },
};
