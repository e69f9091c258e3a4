import { asset, type Asset } from '../core/money';
import type { Random } from '../core/random';
import type { DataSize } from '../core/size';
import { DAY } from '../core/time';
import type { IndxAccount } from './model';
import { IndxState } from './state';

const ACCOUNT_KINDS: ReadonlyArray<{ asset: Asset; type: IndxAccount['type']; name: string }> = [
  { asset: asset('USD', 2), type: 'operating', name: 'USD Operating' },
  { asset: asset('EUR', 2), type: 'operating', name: 'EUR Operating' },
  { asset: asset('USDC', 6), type: 'custody', name: 'USDC Custody' },
];
const COUNTERPARTIES = ['Acme Corp', 'Globex LLC', 'Initech', 'Umbrella Holdings', 'Stark Industries'];

/** Accounts with deposit locations and a booked history; three external (withdrawal) accounts. */
export function seedIndx(random: Random, size: DataSize, startTime: number): IndxState {
  const state = new IndxState(random.fork('ids'));
  const draw = random.fork('data');
  const openedAt = startTime - size.historyDays * DAY;
  for (let i = 0; i < size.accounts; i += 1) {
    const kind = ACCOUNT_KINDS[i % ACCOUNT_KINDS.length] ?? ACCOUNT_KINDS[0];
    if (!kind) continue;
    const account: IndxAccount = {
      id: state.newId('acc'),
      name: i < ACCOUNT_KINDS.length ? kind.name : `${kind.name} ${Math.floor(i / ACCOUNT_KINDS.length) + 1}`,
      accountNumber: draw.digits(10),
      asset: kind.asset,
      type: kind.type,
      provider: kind.type === 'custody' ? 'INDX Digital Custody' : 'INDX Bank',
      createdAt: openedAt,
    };
    state.addAccount(account);
    addDepositLocations(state, draw, account);
    state.post(account.id, { type: 'deposit', amount: unit(account) * draw.bigint(100_000n, 1_000_000n), description: 'Initial funding', at: openedAt, status: 'booked', counterparty: draw.pick(COUNTERPARTIES) });
    const times = Array.from({ length: size.transactionsPerAccount }, () => openedAt + 1 + Math.floor(draw.next() * (startTime - openedAt - 1))).sort((a, b) => a - b);
    for (const at of times) postActivity(state, draw, account, at);
  }
  for (const [index, name] of ['Treasury at First Bank', 'Payroll at City Bank', 'Closed Account at Old Bank'].entries()) {
    state.externalAccounts.set(`ext_${index + 1}`, {
      id: `ext_${index + 1}`,
      name,
      bankName: name.split(' at ')[1] ?? name,
      routingNumber: draw.digits(9),
      accountNumber: draw.digits(12),
      currency: index === 1 ? 'EUR' : 'USD',
      returnsWires: index === 2,
      createdAt: openedAt,
    });
  }
  return state;
}

/** A deposit, withdrawal, fee or interest posting, never overdrawing. */
export function postActivity(state: IndxState, draw: Random, account: IndxAccount, at: number): void {
  const roll = draw.next();
  const amount = unit(account) * draw.bigint(1n, 5_000n) + draw.bigint(0n, unit(account) - 1n);
  if (roll < 0.45 || amount > state.book.available(account.id)) {
    const wire = draw.chance(0.5);
    state.post(account.id, { type: wire ? 'wire_in' : 'deposit', amount, description: wire ? 'Incoming wire' : 'Deposit', at, status: 'booked', counterparty: draw.pick(COUNTERPARTIES) });
  } else if (roll < 0.85) {
    state.post(account.id, { type: 'withdrawal', amount: -amount, description: 'Withdrawal', at, status: 'booked', counterparty: draw.pick(COUNTERPARTIES) });
  } else if (roll < 0.95) {
    state.post(account.id, { type: 'fee', amount: -(unit(account) * 5n), description: 'Monthly account fee', at, status: 'booked' });
  } else {
    state.post(account.id, { type: 'interest', amount: unit(account) * draw.bigint(1n, 20n), description: 'Interest', at, status: 'booked' });
  }
}

function addDepositLocations(state: IndxState, draw: Random, account: IndxAccount): void {
  if (account.type === 'custody') {
    state.depositLocations.push({ id: state.newId('dl'), accountId: account.id, type: 'crypto', currency: account.asset.code, details: { network: 'ethereum', address: `0x${draw.hex(40)}` } });
    return;
  }
  const reference = `INDX${draw.digits(8)}`;
  state.depositLocations.push({
    id: state.newId('dl'),
    accountId: account.id,
    type: 'wire',
    currency: account.asset.code,
    details: { bankName: 'INDX Bank', routingNumber: draw.digits(9), accountNumber: account.accountNumber, beneficiaryName: account.name, reference },
  });
  if (account.asset.code === 'USD') {
    state.depositLocations.push({
      id: state.newId('dl'),
      accountId: account.id,
      type: 'ach',
      currency: 'USD',
      details: { bankName: 'INDX Bank', routingNumber: draw.digits(9), accountNumber: account.accountNumber, beneficiaryName: account.name, reference },
    });
  }
}

export function unit(account: IndxAccount): bigint {
  return 10n ** BigInt(account.asset.precision);
}
