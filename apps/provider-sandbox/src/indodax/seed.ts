import type { Random } from '../core/random';
import type { DataSize } from '../core/size';
import { DAY } from '../core/time';
import { CURRENCIES, PAIRS, type IndodaxCurrency } from './currencies';
import { IndodaxExchange } from './exchange';
import { SandboxClock } from '../core/clock';
import { IndodaxState } from './state';

const IDR_CHANNELS = ['duitku', 'bca_va', 'mandiri_va', 'bni_va', 'coupon'];
export const OTHER_USERNAMES = ['User_13', 'budi_santoso', 'siti-rahma'];

/**
 * One Indodax account: an opening deposit per currency, then deposits, withdrawals and filled
 * trades spread over the history (each currency gets `transactionsPerAccount` of them).
 */
export function seedIndodax(random: Random, size: DataSize, startTime: number): IndodaxState {
  const draw = random.fork('data');
  const openedAt = startTime - size.historyDays * DAY;
  const addresses: Record<string, string> = {};
  for (const entry of CURRENCIES) {
    if (entry.code !== 'idr') addresses[entry.code] = depositAddress(draw, entry.code);
  }
  const state = new IndodaxState(
    { userId: draw.digits(6), name: 'Jhon Doe', email: 'jhon.doe@example.com', username: 'jhon_doe', addresses },
    openedAt,
  );
  for (const username of OTHER_USERNAMES) state.knownUsernames.add(username);
  for (const entry of CURRENCIES) {
    recordIncoming(state, draw, entry, openedAt, true, openingAmount(entry));
  }
  // History is replayed on a clock of its own so trades carry their historical time.
  const history = new SandboxClock(openedAt);
  const exchange = new IndodaxExchange(state, history);
  const events: Array<{ at: number; run: () => void }> = [];
  for (const entry of CURRENCIES) {
    for (let i = 0; i < size.transactionsPerAccount; i += 1) {
      const at = openedAt + DAY + Math.floor(draw.next() * (startTime - openedAt - DAY));
      events.push({ at, run: () => moveMoney(state, draw, entry, at) });
    }
  }
  for (const pair of PAIRS) {
    for (let i = 0; i < Math.max(1, Math.floor(size.transactionsPerAccount / 4)); i += 1) {
      const at = openedAt + DAY + Math.floor(draw.next() * (startTime - openedAt - DAY));
      events.push({
        at,
        run: () => {
          history.advanceTo(at);
          const side = draw.chance(0.5) ? 'buy' : 'sell';
          const price = state.prices.get(pair.id) ?? pair.openingPrice;
          const baseAmount = (openingAmount(pair.base) * BigInt(draw.int(1, 20))) / 1_000n;
          exchange.place({ pair, side, orderType: 'market', price, sizedIn: 'base', amount: baseAmount, makerOnly: false });
          exchange.tick(draw);
        },
      });
    }
  }
  events.sort((a, b) => a.at - b.at);
  for (const event of events) event.run();
  return state;
}

/** A deposit, or a withdrawal when the balance allows it (never overdrawing). */
export function moveMoney(state: IndodaxState, draw: Random, entry: IndodaxCurrency, at: number): void {
  const amount = (openingAmount(entry) * BigInt(draw.int(1, 50))) / 1_000n;
  if (draw.chance(0.65) || amount > state.available(entry.code)) {
    recordIncoming(state, draw, entry, at, true, amount);
    return;
  }
  const [network, fee] = Object.entries(entry.networks)[0] ?? ['', entry.code === 'idr' ? 500n : 0n];
  const gross = amount > fee ? amount : fee + 1n;
  if (gross > state.available(entry.code)) return;
  state.recordWithdrawal({
    currency: entry.code,
    ...(entry.code === 'idr' ? { type: draw.pick(IDR_CHANNELS) } : { network }),
    gross,
    fee: entry.code === 'idr' ? 500n : fee,
    address: entry.code === 'idr' ? `BCA ${draw.digits(10)}` : depositAddress(draw, entry.code),
    tx: entry.code === 'idr' ? `BTC-IDR-${draw.alphanumeric(8).toUpperCase()}` : draw.hex(64),
    at,
    completed: true,
  });
}

export function recordIncoming(state: IndodaxState, draw: Random, entry: IndodaxCurrency, at: number, confirmed: boolean, amount: bigint): void {
  const isIdr = entry.code === 'idr';
  state.recordDeposit({
    currency: entry.code,
    gross: amount,
    // IDR deposits through a payment channel cost 1.5 %; coins arrive without a fee.
    fee: isIdr ? (amount * 15n) / 1_000n : 0n,
    ...(isIdr ? { type: draw.pick(IDR_CHANNELS) } : {}),
    tx: isIdr ? `Duitku OVO Settlement ${draw.digits(6)}` : draw.hex(64),
    at,
    confirmed,
  });
}

function openingAmount(entry: IndodaxCurrency): bigint {
  switch (entry.code) {
    case 'idr':
      return 500_000_000n;
    case 'btc':
      return 50_000_000n;
    case 'eth':
      return 2_000_000_000n;
    case 'usdt':
      return 2_000_000_000_000n;
    case 'ltc':
      return 5_000_000_000n;
    default:
      return 10_000_000_000_000n;
  }
}

function depositAddress(draw: Random, code: string): string {
  return code === 'btc' ? `1${draw.alphanumeric(33)}` : code === 'ltc' ? `L${draw.alphanumeric(33)}` : code === 'doge' ? `D${draw.alphanumeric(33)}` : `0x${draw.hex(40)}`;
}
