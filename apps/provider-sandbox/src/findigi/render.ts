import { formatMinor } from '../core/money';
import { iso } from '../core/time';
import type {
  Approval,
  BankTransfer,
  BatchTransfer,
  FiatWallet,
  FinvaultTransaction,
  FinvaultWallet,
  Payout,
  PayoutInstruction,
  SavedBank,
  Transfer,
  WalletTransfer,
} from './model';
import { vaultAccountId, type FindigiState } from './state';

/** FinDIGI JSON: snake_case, amounts as decimal strings of the wallet's currency. */
export function renderWallet(state: FindigiState, wallet: FiatWallet): Record<string, unknown> {
  const precision = wallet.asset.precision;
  return {
    id: wallet.id,
    client_id: wallet.clientId,
    name: wallet.name,
    currency: wallet.asset.code,
    country: wallet.country,
    is_primary: wallet.isPrimary,
    status: 'active',
    balance: formatMinor(state.fiat.balance(wallet.id), precision),
    available_balance: formatMinor(state.fiat.available(wallet.id), precision),
    created_at: iso(wallet.createdAt),
    updated_at: iso(wallet.updatedAt),
  };
}

export function renderWalletBalances(state: FindigiState, wallet: FiatWallet, now: number): Record<string, unknown> {
  const precision = wallet.asset.precision;
  return {
    ok: true,
    wallet_id: wallet.id,
    balances: [
      {
        currency: wallet.asset.code,
        balance: formatMinor(state.fiat.balance(wallet.id), precision),
        available_balance: formatMinor(state.fiat.available(wallet.id), precision),
        on_hold: formatMinor(state.fiat.onHold(wallet.id), precision),
        pending_in: formatMinor(state.fiat.pendingCredits(wallet.id), precision),
      },
    ],
    as_of: iso(now),
  };
}

export function renderTransfer(transfer: Transfer): Record<string, unknown> {
  switch (transfer.kind) {
    case 'wallet_transfer':
      return renderWalletTransfer(transfer);
    case 'bank_transfer':
      return renderBankTransfer(transfer);
    case 'payout':
      return renderPayout(transfer);
  }
}

function renderPayout(payout: Payout): Record<string, unknown> {
  return {
    id: payout.id,
    type: payout.kind,
    client_id: payout.clientId,
    source_wallet_id: payout.sourceWalletId,
    batch_id: payout.batchId ?? null,
    beneficiary_id: payout.beneficiaryId ?? null,
    amount: formatMinor(payout.amount, payout.asset.precision),
    currency: payout.asset.code,
    beneficiary: { bank_code: payout.beneficiary.bankCode, account_number: payout.beneficiary.accountNumber, account_name: payout.beneficiary.accountName },
    description: payout.description,
    status: payout.status,
    approval_id: payout.approvalId ?? null,
    instruction_id: payout.instructionId ?? null,
    failure_reason: payout.failureReason ?? null,
    created_by: payout.createdBy,
    created_at: iso(payout.createdAt),
    updated_at: iso(payout.updatedAt),
    is_test: true,
  };
}

export function renderBatch(batch: BatchTransfer, status: string, items: readonly Payout[]): Record<string, unknown> {
  const precision = batch.asset.precision;
  return {
    id: batch.id,
    client_id: batch.clientId,
    source_wallet_id: batch.sourceWalletId,
    currency: batch.asset.code,
    execution_mode: batch.executionMode,
    scheduled_at: batch.scheduledAt === undefined ? null : iso(batch.scheduledAt),
    description: batch.description,
    status,
    item_count: items.length,
    total_amount: formatMinor(
      items.reduce((sum, item) => sum + item.amount, 0n),
      precision,
    ),
    approval_id: batch.approvalId ?? null,
    created_by: batch.createdBy,
    created_at: iso(batch.createdAt),
    updated_at: iso(batch.updatedAt),
    executed_at: batch.executedAt === undefined ? null : iso(batch.executedAt),
    cancelled_at: batch.cancelledAt === undefined ? null : iso(batch.cancelledAt),
    is_test: true,
  };
}

export function renderSavedBank(bank: SavedBank): Record<string, unknown> {
  return {
    id: bank.id,
    client_id: bank.clientId,
    bank_code: bank.bankCode,
    account_number: bank.accountNumber,
    account_name: bank.accountName,
    created_at: iso(bank.createdAt),
  };
}

function renderWalletTransfer(transfer: WalletTransfer): Record<string, unknown> {
  return {
    id: transfer.id,
    type: transfer.kind,
    client_id: transfer.clientId,
    source_wallet_id: transfer.sourceWalletId,
    destination_wallet_id: transfer.destinationWalletId,
    amount: formatMinor(transfer.amount, transfer.asset.precision),
    currency: transfer.asset.code,
    description: transfer.description,
    status: transfer.status,
    approval_id: transfer.approvalId ?? null,
    failure_reason: transfer.failureReason ?? null,
    created_by: transfer.createdBy,
    created_at: iso(transfer.createdAt),
    updated_at: iso(transfer.updatedAt),
    is_test: true,
  };
}

function renderBankTransfer(transfer: BankTransfer): Record<string, unknown> {
  const precision = transfer.asset.precision;
  return {
    id: transfer.id,
    type: transfer.kind,
    client_id: transfer.clientId,
    source_wallet_id: transfer.sourceWalletId,
    amount: formatMinor(transfer.amount, precision),
    fee: formatMinor(transfer.fee, precision),
    total: formatMinor(transfer.amount + transfer.fee, precision),
    currency: transfer.asset.code,
    beneficiary: {
      bank_code: transfer.beneficiary.bankCode,
      account_number: transfer.beneficiary.accountNumber,
      account_name: transfer.beneficiary.accountName,
    },
    description: transfer.description,
    status: transfer.status,
    approval_id: transfer.approvalId ?? null,
    instruction_id: transfer.instructionId ?? null,
    failure_reason: transfer.failureReason ?? null,
    created_by: transfer.createdBy,
    created_at: iso(transfer.createdAt),
    updated_at: iso(transfer.updatedAt),
    is_test: true,
  };
}

export function renderInstruction(instruction: PayoutInstruction): Record<string, unknown> {
  return {
    id: instruction.id,
    transfer_id: instruction.transferId,
    client_id: instruction.clientId,
    rail: instruction.rail,
    channel_code: instruction.channelCode,
    external_id: instruction.externalId,
    amount: formatMinor(instruction.amount, instruction.asset.precision),
    currency: instruction.asset.code,
    status: instruction.status,
    failure_code: instruction.failureCode ?? null,
    created_at: iso(instruction.createdAt),
    updated_at: iso(instruction.updatedAt),
  };
}

export function renderApproval(approval: Approval): Record<string, unknown> {
  return {
    id: approval.id,
    client_id: approval.clientId,
    resource_type: approval.resourceType,
    resource_id: approval.resourceId,
    status: approval.status,
    requested_by: approval.requestedBy,
    decided_by: approval.decidedBy ?? null,
    note: approval.note ?? null,
    created_at: iso(approval.createdAt),
    decided_at: approval.decidedAt === undefined ? null : iso(approval.decidedAt),
  };
}

export function renderVaultWallet(wallet: FinvaultWallet): Record<string, unknown> {
  return {
    id: wallet.id,
    client_id: wallet.clientId,
    name: wallet.name,
    network: wallet.network,
    address: wallet.address,
    custody_type: wallet.custody,
    is_primary: wallet.isPrimary,
    created_at: iso(wallet.createdAt),
  };
}

export function renderVaultBalances(state: FindigiState, wallet: FinvaultWallet): Record<string, unknown>[] {
  return wallet.assets.map((vaultAsset) => {
    const accountId = vaultAccountId(wallet.id, vaultAsset.symbol);
    return {
      asset_id: vaultAsset.assetId,
      symbol: vaultAsset.symbol,
      network: wallet.network,
      balance: formatMinor(state.vault.balance(accountId), vaultAsset.asset.precision),
      available_balance: formatMinor(state.vault.available(accountId), vaultAsset.asset.precision),
    };
  });
}

export function renderVaultTransaction(transaction: FinvaultTransaction): Record<string, unknown> {
  return {
    id: transaction.id,
    client_id: transaction.clientId,
    wallet_id: transaction.walletId,
    type: transaction.type,
    asset_id: transaction.assetId,
    symbol: transaction.symbol,
    network: transaction.network,
    amount: formatMinor(transaction.amount, transaction.asset.precision),
    direction: transaction.type === 'onchain_receive' ? 'in' : 'out',
    status: transaction.status,
    tx_hash: transaction.txHash,
    counterparty_address: transaction.counterpartyAddress,
    explorer_url: `https://amoy.polygonscan.com/tx/${transaction.txHash}`,
    created_at: iso(transaction.createdAt),
    confirmed_at: transaction.confirmedAt === undefined ? null : iso(transaction.confirmedAt),
  };
}
