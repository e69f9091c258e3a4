import type { Asset } from '../core/money';

/**
 * INDX resources as the sandbox keeps them. The INDX documentation names the endpoints but not
 * their paths or fields; the sandbox's choices are listed in the README.
 */
export type IndxTransactionType = 'deposit' | 'withdrawal' | 'wire_in' | 'wire_out' | 'transfer_in' | 'transfer_out' | 'fee' | 'interest';
export const INDX_TRANSACTION_TYPES: readonly IndxTransactionType[] = ['deposit', 'withdrawal', 'wire_in', 'wire_out', 'transfer_in', 'transfer_out', 'fee', 'interest'];

export interface IndxAccount {
  readonly id: string;
  readonly name: string;
  readonly accountNumber: string;
  readonly asset: Asset;
  readonly type: 'operating' | 'custody';
  readonly provider: string;
  readonly createdAt: number;
}

export interface DepositLocation {
  readonly id: string;
  readonly accountId: string;
  readonly type: 'wire' | 'ach' | 'crypto';
  readonly currency: string;
  readonly details: Readonly<Record<string, string>>;
}

export interface ExternalAccount {
  readonly id: string;
  readonly name: string;
  readonly bankName: string;
  readonly routingNumber: string;
  readonly accountNumber: string;
  readonly currency: string;
  /** The beneficiary bank returns wires to this account (to exercise failed wires). */
  readonly returnsWires: boolean;
  readonly createdAt: number;
}

export type WireStatus = 'pending' | 'processing' | 'completed' | 'failed';
export type TransferStatus = 'pending' | 'completed' | 'failed';

export interface WireTransfer {
  readonly id: string;
  readonly accountId: string;
  readonly externalAccountId: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly asset: Asset;
  readonly reference: string;
  readonly memo: string;
  status: WireStatus;
  readonly createdAt: number;
  updatedAt: number;
  failureReason?: string;
  readonly entryIds: readonly string[];
}

export interface AccountTransfer {
  readonly id: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: bigint;
  readonly asset: Asset;
  readonly description: string;
  status: TransferStatus;
  readonly createdAt: number;
  updatedAt: number;
  readonly debitEntryId: string;
  creditEntryId?: string;
}

export interface IndxEntryMeta {
  /** Global creation order, for stable newest-first pagination across accounts. */
  sequence: number;
  reference: string;
  counterparty?: string;
  wireTransferId?: string;
  transferId?: string;
}
