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

export type TransferStatus = 'awaiting_approval' | 'processing' | 'completed' | 'failed' | 'rejected';

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

export type Transfer = WalletTransfer | BankTransfer;

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

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  readonly id: string;
  readonly clientId: string;
  readonly resourceType: Transfer['kind'];
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
