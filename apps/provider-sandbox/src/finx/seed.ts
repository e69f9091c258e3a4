import { fiatAsset } from '../core/currencies';
import type { Random } from '../core/random';
import type { DataSize } from '../core/size';
import { DAY } from '../core/time';
import { FINX_ACCOUNT_TYPES, FinxState } from './state';

const SEED_CURRENCIES = ['USD', 'EUR', 'SGD', 'IDR'] as const;

/** Accounts with an opening balance and a history of balance movements up to `startTime`. */
export function seedFinx(random: Random, size: DataSize, startTime: number): FinxState {
  const state = new FinxState(random.fork('ids'));
  const draw = random.fork('data');
  const owners = Array.from({ length: Math.max(1, Math.ceil(size.accounts / 2)) }, () => draw.alphanumeric(16));
  for (let i = 0; i < size.accounts; i += 1) {
    const currency = SEED_CURRENCIES[i % SEED_CURRENCIES.length] ?? 'USD';
    const assetValue = fiatAsset(currency);
    if (!assetValue) throw new Error(`no asset for ${currency}`);
    const openedAt = startTime - size.historyDays * DAY + draw.int(0, DAY - 1);
    const unit = 10n ** BigInt(assetValue.precision);
    const account = state.create({
      type: draw.pick(FINX_ACCOUNT_TYPES),
      ownerId: draw.pick(owners),
      asset: assetValue,
      balance: draw.bigint(1_000n, 50_000n) * unit,
      at: openedAt,
    });
    const span = startTime - openedAt;
    const times = Array.from({ length: size.transactionsPerAccount }, () => openedAt + Math.floor(draw.next() * span)).sort(
      (a, b) => a - b,
    );
    for (const at of times) state.move(account.id, activityDelta(draw, state.balance(account.id), unit), at);
  }
  return state;
}

/** A movement that never takes the balance below zero. */
export function activityDelta(draw: Random, balance: bigint, unit: bigint): bigint {
  const amount = draw.bigint(1n, 500n * unit);
  return draw.chance(0.5) || amount > balance ? amount : -amount;
}
