import { fiatAsset } from '../core/currencies';
import { asset, type Asset } from '../core/money';
import type { Random } from '../core/random';
import type { DataSize } from '../core/size';
import { DAY } from '../core/time';
import type { FindigiUserOption } from '../options';
import type { FiatWallet, FinvaultWallet, MemberRole } from './model';
import { FindigiState, vaultAccountId } from './state';

const WALLET_CURRENCIES = [
  { code: 'IDR', country: 'ID', bankCode: 'BCA' },
  { code: 'SGD', country: 'SG', bankCode: 'DBS' },
  { code: 'USD', country: 'US', bankCode: 'CITI' },
] as const;

export const FINVAULT_NETWORK = 'polygon-amoy';
export const FINVAULT_ASSETS = [
  { symbol: 'USDT', asset: asset('USDT', 6) },
  { symbol: 'USDC', asset: asset('USDC', 6) },
] as const;

/**
 * Users from the options; the first owns an individual workspace, the others share a company
 * workspace whose transfers need a second person's approval (the second user makes, the rest check).
 */
export function seedFindigi(random: Random, size: DataSize, startTime: number, users: readonly FindigiUserOption[]): FindigiState {
  const state = new FindigiState(random.fork('ids'));
  const draw = random.fork('data');
  const openedAt = startTime - size.historyDays * DAY;
  for (const user of users) {
    const id = state.newId();
    state.users.set(id, { id, ...user });
  }
  const [owner, ...companyMembers] = [...state.users.values()];
  if (!owner) throw new Error('FinDIGI needs at least one user');

  const individual = { id: state.newId(), name: `${owner.name} Personal`, clientType: 'individual' as const, approvalMode: 'none' as const };
  state.clients.set(individual.id, { ...individual, members: new Map([[owner.id, 'owner']]), createdAt: openedAt });
  const clientIds = [individual.id];
  if (companyMembers.length > 0) {
    const members = new Map<string, MemberRole>(companyMembers.map((user, index) => [user.id, index === 0 ? 'maker' : 'checker']));
    const company = { id: state.newId(), name: 'Acme Treasury PT', clientType: 'company' as const, approvalMode: 'maker_checker' as const };
    state.clients.set(company.id, { ...company, members, createdAt: openedAt });
    clientIds.push(company.id);
  }

  // The wallets are shared out between the workspaces, so a size means the same for every provider.
  const walletsPerClient = Math.max(2, Math.ceil(size.accounts / clientIds.length));
  for (const clientId of clientIds) {
    for (let i = 0; i < walletsPerClient; i += 1) {
      const currency = WALLET_CURRENCIES[i % WALLET_CURRENCIES.length] ?? WALLET_CURRENCIES[0];
      const wallet = openWallet(state, draw, clientId, currency, i === 0, openedAt + draw.int(0, DAY));
      seedWalletHistory(state, draw, wallet, size.transactionsPerAccount, startTime);
    }
    seedVault(state, draw, clientId, openedAt, size, startTime);
  }
  return state;
}

export function openWallet(
  state: FindigiState,
  draw: Random,
  clientId: string,
  currency: { code: string; country: string; bankCode: string },
  isPrimary: boolean,
  at: number,
): FiatWallet {
  const walletAsset = fiatAsset(currency.code);
  if (!walletAsset) throw new Error(`no asset for ${currency.code}`);
  const wallet: FiatWallet = {
    id: state.newId(),
    clientId,
    name: `${currency.code} Operating`,
    asset: walletAsset,
    country: currency.country,
    isPrimary,
    createdAt: at,
    updatedAt: at,
    virtualAccounts: [{ bankCode: currency.bankCode, accountNumber: draw.digits(12), accountName: `FINDIGI ${currency.code} ${draw.digits(4)}` }],
  };
  state.wallets.set(wallet.id, wallet);
  state.fiat.openAccount(wallet.id, walletAsset, at);
  return wallet;
}

export function walletCurrencyFor(code: string): { code: string; country: string; bankCode: string } | undefined {
  return WALLET_CURRENCIES.find((currency) => currency.code === code.toUpperCase());
}

function seedWalletHistory(state: FindigiState, draw: Random, wallet: FiatWallet, count: number, startTime: number): void {
  const unit = 10n ** BigInt(wallet.asset.precision);
  const scale = wallet.asset.code === 'IDR' ? 10_000n : 1n;
  const opening = draw.bigint(50_000n, 200_000n) * unit * scale;
  state.postFiat(wallet.id, {
    amount: opening,
    kind: 'topup',
    description: 'Initial top-up by bank transfer',
    at: wallet.createdAt,
    status: 'booked',
    meta: { referenceType: 'topup', referenceId: state.newId() },
  });
  const span = startTime - wallet.createdAt;
  const times = Array.from({ length: count }, () => wallet.createdAt + Math.floor(draw.next() * span)).sort((a, b) => a - b);
  for (const at of times) postActivity(state, draw, wallet, at);
}

/** A top-up or a payout (never overdrawing), as seeded history and as live activity. */
export function postActivity(state: FindigiState, draw: Random, wallet: FiatWallet, at: number): void {
  const unit = 10n ** BigInt(wallet.asset.precision);
  const scale = wallet.asset.code === 'IDR' ? 10_000n : 1n;
  const amount = draw.bigint(10n * unit, 2_000n * unit) * scale;
  const credit = draw.chance(0.55) || amount > state.fiat.available(wallet.id);
  state.postFiat(wallet.id, {
    amount: credit ? amount : -amount,
    kind: credit ? 'topup' : 'payout',
    description: credit ? `Top-up via virtual account ${wallet.virtualAccounts[0]?.bankCode ?? ''}` : 'Payout to supplier',
    at,
    status: 'booked',
    meta: { referenceType: credit ? 'topup' : 'payout', referenceId: state.newId() },
  });
}

function seedVault(state: FindigiState, draw: Random, clientId: string, openedAt: number, size: DataSize, startTime: number): void {
  const wallet: FinvaultWallet = {
    id: state.newId(),
    clientId,
    name: 'Treasury Vault',
    network: FINVAULT_NETWORK,
    address: `0x${draw.hex(40)}`,
    custody: 'custodial',
    isPrimary: true,
    createdAt: openedAt,
    assets: FINVAULT_ASSETS.map((entry) => ({ assetId: state.newId(), symbol: entry.symbol, asset: entry.asset })),
  };
  state.vaultWallets.set(wallet.id, wallet);
  for (const vaultAsset of wallet.assets) {
    state.vault.openAccount(vaultAccountId(wallet.id, vaultAsset.symbol), vaultAsset.asset, openedAt);
  }
  const count = Math.max(2, Math.floor(size.transactionsPerAccount / 2));
  const times = Array.from({ length: count }, () => openedAt + Math.floor(draw.next() * (startTime - openedAt))).sort((a, b) => a - b);
  for (const at of times) {
    const vaultAsset = draw.pick(wallet.assets);
    recordVaultTransfer(state, draw, wallet, vaultAsset.symbol, vaultAsset.asset, at, 'confirmed');
  }
}

/** An on-chain receive or send; `pending` ones are confirmed later by the clock. */
export function recordVaultTransfer(
  state: FindigiState,
  draw: Random,
  wallet: FinvaultWallet,
  symbol: string,
  vaultAsset: Asset,
  at: number,
  status: 'pending' | 'confirmed',
): string {
  const accountId = vaultAccountId(wallet.id, symbol);
  const amount = draw.bigint(1_000_000n, 5_000_000_000n);
  const receive = draw.chance(0.6) || amount > state.vault.available(accountId);
  const id = state.newId();
  const entry = state.vault.post({
    id: state.newId(),
    accountId,
    amount: receive ? amount : -amount,
    kind: receive ? 'onchain_receive' : 'onchain_transfer',
    description: receive ? `Received ${symbol} on ${wallet.network}` : `Sent ${symbol} on ${wallet.network}`,
    at,
    status: status === 'confirmed' ? 'booked' : 'pending',
    meta: { transactionId: id },
  });
  const assetId = wallet.assets.find((candidate) => candidate.symbol === symbol)?.assetId ?? '';
  state.vaultTransactions.set(id, {
    id,
    clientId: wallet.clientId,
    walletId: wallet.id,
    type: receive ? 'onchain_receive' : 'onchain_transfer',
    assetId,
    symbol,
    amount,
    asset: vaultAsset,
    status,
    txHash: `0x${draw.hex(64)}`,
    network: wallet.network,
    counterpartyAddress: `0x${draw.hex(40)}`,
    createdAt: at,
    ...(status === 'confirmed' ? { confirmedAt: at } : {}),
    entryId: entry.id,
  });
  return id;
}
