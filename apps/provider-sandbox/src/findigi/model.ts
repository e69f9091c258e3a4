import type { Asset } from '../core/money';

/** FinDIGI's resources as the sandbox keeps them. Amounts are minor units of the wallet's asset. */
export type ClientType = 'individual' | 'company';
export type ApprovalMode = 'none' | 'maker_checker';
export type MemberRole = 'owner' | 'maker' | 'checker';

export interface FindigiUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly twoFactor: boolean;
}

export interface FindigiClient {
  readonly id: string;
  readonly name: string;
  readonly clientType: ClientType;
  readonly approvalMode: ApprovalMode;
  readonly members: ReadonlyMap<string, MemberRole>;
  readonly createdAt: number;
}

export interface VirtualAccount {
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly accountName: string;
}

export interface FiatWallet {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly asset: Asset;
  readonly country: string;
  isPrimary: boolean;
  readonly createdAt: number;
  updatedAt: number;
  readonly virtualAccounts: readonly VirtualAccount[];
}

/** `pending`: a batch item waiting for its batch to run; `cancelled`: stopped before it ran. */
export type TransferStatus = 'awaiting_approval' | 'pending' | 'processing' | 'completed' | 'failed' | 'rejected' | 'cancelled';

export interface WalletTransfer {
  readonly kind: 'wallet_transfer';
  readonly id: string;
  readonly clientId: string;
  readonly sourceWalletId: string;
  readonly destinationWalletId: string;
  readonly amount: bigint;
  readonly asset: Asset;
  readonly description: string;
  status: TransferStatus;
  readonly createdBy: string;
  readonly createdAt: number;
  updatedAt: number;
  approvalId?: string;
  holdEntryId?: string;
  failureReason?: string;
}

export interface Beneficiary {
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly accountName: string;
}

export interface BankTransfer {
  readonly kind: 'bank_transfer';
  readonly id: string;
  readonly clientId: string;
  readonly sourceWalletId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly asset: Asset;
  readonly beneficiary: Beneficiary;
  readonly description: string;
  status: TransferStatus;
  readonly createdBy: string;
  readonly createdAt: number;
  updatedAt: number;
  approvalId?: string;
  instructionId?: string;
  holdEntryIds: string[];
  failureReason?: string;
}

/** A payout to a bank account through the rail: alone (`/api/fiat/payout`) or as a batch item. No fee. */
export interface Payout {
  readonly kind: 'payout';
  readonly id: string;
  readonly clientId: string;
  readonly sourceWalletId: string;
  readonly amount: bigint;
  readonly asset: Asset;
  readonly beneficiary: Beneficiary;
  /** The saved bank account it was addressed to, if any. */
  readonly beneficiaryId?: string;
  readonly description: string;
  status: TransferStatus;
  readonly createdBy: string;
  readonly createdAt: number;
  updatedAt: number;
  approvalId?: string;
  instructionId?: string;
  holdEntryId?: string;
  failureReason?: string;
  /** Set on the items of a batch transfer. */
  readonly batchId?: string;
}

export type Transfer = WalletTransfer | BankTransfer | Payout;

/** A saved bank account of a workspace (Bank Register): what batch items are addressed to. */
export interface SavedBank {
  readonly id: string;
  readonly clientId: string;
  readonly bankCode: string;
  readonly accountNumber: string;
  readonly accountName: string;
  readonly createdAt: number;
}

export type BatchExecutionMode = 'immediate' | 'scheduled';

/**
 * Bulk payouts from one wallet: one approval for the whole batch in a maker-checker workspace;
 * each item is a payout of its own (its own hold, instruction and status). Its status is derived
 * from the items'.
 */
export interface BatchTransfer {
  readonly id: string;
  readonly clientId: string;
  readonly sourceWalletId: string;
  readonly asset: Asset;
  readonly executionMode: BatchExecutionMode;
  /** Sandbox-clock time a scheduled batch runs at. */
  readonly scheduledAt?: number;
  readonly description: string;
  readonly itemIds: readonly string[];
  readonly createdBy: string;
  readonly createdAt: number;
  updatedAt: number;
  approvalId?: string;
  executedAt?: number;
  cancelledAt?: number;
}

export type InstructionStatus = 'pending' | 'sent' | 'completed' | 'failed';

/** The payout order FinDIGI sends to its rail (Xendit) for a transfer to bank. */
export interface PayoutInstruction {
  readonly id: string;
  readonly transferId: string;
  readonly clientId: string;
  readonly rail: 'xendit';
  readonly channelCode: string;
  readonly externalId: string;
  readonly amount: bigint;
  readonly asset: Asset;
  status: InstructionStatus;
  readonly createdAt: number;
  updatedAt: number;
  failureCode?: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

export interface Approval {
  readonly id: string;
  readonly clientId: string;
  readonly resourceType: Transfer['kind'] | 'batch_transfer';
  readonly resourceId: string;
  status: ApprovalStatus;
  readonly requestedBy: string;
  decidedBy?: string;
  note?: string;
  readonly createdAt: number;
  decidedAt?: number;
}

export interface FinvaultAsset {
  readonly assetId: string;
  readonly symbol: string;
  readonly asset: Asset;
}

export interface FinvaultWallet {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly network: string;
  readonly address: string;
  readonly custody: 'custodial';
  readonly isPrimary: boolean;
  readonly createdAt: number;
  readonly assets: readonly FinvaultAsset[];
}

export type FinvaultTransactionType = 'onchain_receive' | 'onchain_transfer';
export type FinvaultTransactionStatus = 'pending' | 'confirmed' | 'failed';

export interface FinvaultTransaction {
  readonly id: string;
  readonly clientId: string;
  readonly walletId: string;
  readonly type: FinvaultTransactionType;
  readonly assetId: string;
  readonly symbol: string;
  readonly amount: bigint;
  readonly asset: Asset;
  status: FinvaultTransactionStatus;
  readonly txHash: string;
  readonly network: string;
  readonly counterpartyAddress: string;
  readonly createdAt: number;
  confirmedAt?: number;
  readonly entryId: string;
}

/** What a fiat book entry refers to, for wallet history. */
export interface FiatEntryMeta {
  referenceType: 'topup' | 'wallet_transfer' | 'bank_transfer' | 'payout';
  referenceId: string;
}

export interface FinvaultEntryMeta {
  transactionId: string;
}
