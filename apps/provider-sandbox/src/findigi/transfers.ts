import type { SandboxClock, TaskKind } from '../core/clock';
import type { Asset } from '../core/money';
import { MINUTE, SECOND } from '../core/time';
import type {
  Approval,
  BankTransfer,
  BatchExecutionMode,
  BatchTransfer,
  Beneficiary,
  FiatWallet,
  FindigiClient,
  Payout,
  PayoutInstruction,
  SavedBank,
  Transfer,
  TransferStatus,
  WalletTransfer,
} from './model';
import { renderTransfer } from './render';
import type { FindigiState } from './state';
import type { FindigiWebhooks } from './webhooks';

/** How long each step takes on the sandbox clock. */
export const WALLET_TRANSFER_SETTLE_MS = 5 * SECOND;
export const INSTRUCTION_SEND_MS = 5 * SECOND;
export const INSTRUCTION_COMPLETE_MS = MINUTE;
/** A beneficiary account number the rail always rejects, to exercise failed payouts. */
export const REJECTED_ACCOUNT_NUMBER = '0000000000';

/**
 * The lifecycle of wallet transfers and transfers to bank. Funds are held (pending debits) from
 * creation; a company workspace's transfer waits in `awaiting_approval` until a checker decides;
 * then `processing` and, on the clock, `completed` (holds booked) or `failed` (holds released).
 */
export class FindigiTransfers {
  // Clock tasks are named kinds with plain arguments (ids), so pending ones can be saved and restored.
  private readonly walletTransferSettled: TaskKind<{ transferId: string }>;
  private readonly instructionSent: TaskKind<{ instructionId: string }>;
  private readonly instructionSettled: TaskKind<{ instructionId: string }>;
  private readonly batchRun: TaskKind<{ batchId: string }>;

  constructor(
    private readonly state: FindigiState,
    private readonly clock: SandboxClock,
    private readonly webhooks: FindigiWebhooks,
  ) {
    this.walletTransferSettled = clock.define('findigi.wallet-transfer.settled', ({ transferId }) => {
      const transfer = this.state.transfers.get(transferId);
      if (transfer?.kind === 'wallet_transfer') this.completeWalletTransfer(transfer);
    });
    this.instructionSent = clock.define('findigi.instruction.sent', ({ instructionId }) => {
      const instruction = this.state.instructions.get(instructionId);
      if (!instruction) return;
      instruction.status = 'sent';
      instruction.updatedAt = this.clock.now();
      this.instructionSettled.in(INSTRUCTION_COMPLETE_MS, { instructionId });
    });
    this.instructionSettled = clock.define('findigi.instruction.settled', ({ instructionId }) => this.settleInstruction(instructionId));
    this.batchRun = clock.define('findigi.batch.run', ({ batchId }) => {
      this.run(batchId);
    });
  }

  createWalletTransfer(input: {
    client: FindigiClient;
    userId: string;
    source: FiatWallet;
    destination: FiatWallet;
    amount: bigint;
    description: string;
  }): WalletTransfer {
    const now = this.clock.now();
    const transfer: WalletTransfer = {
      kind: 'wallet_transfer',
      id: this.state.newId(),
      clientId: input.client.id,
      sourceWalletId: input.source.id,
      destinationWalletId: input.destination.id,
      amount: input.amount,
      asset: input.source.asset,
      description: input.description,
      status: 'processing',
      createdBy: input.userId,
      createdAt: now,
      updatedAt: now,
    };
    transfer.holdEntryId = this.hold(input.source, -input.amount, 'transfer_out', `Transfer to wallet ${input.destination.id}`, transfer).id;
    this.state.transfers.set(transfer.id, transfer);
    this.admit(input.client, transfer);
    return transfer;
  }

  createBankTransfer(input: {
    client: FindigiClient;
    userId: string;
    source: FiatWallet;
    amount: bigint;
    fee: bigint;
    beneficiary: Beneficiary;
    description: string;
  }): BankTransfer {
    const now = this.clock.now();
    const transfer: BankTransfer = {
      kind: 'bank_transfer',
      id: this.state.newId(),
      clientId: input.client.id,
      sourceWalletId: input.source.id,
      amount: input.amount,
      fee: input.fee,
      asset: input.source.asset,
      beneficiary: input.beneficiary,
      description: input.description,
      status: 'processing',
      createdBy: input.userId,
      createdAt: now,
      updatedAt: now,
      holdEntryIds: [],
    };
    const payout = this.hold(input.source, -input.amount, 'transfer_to_bank', `Transfer to ${input.beneficiary.bankCode} ${input.beneficiary.accountNumber}`, transfer);
    transfer.holdEntryIds.push(payout.id);
    if (input.fee > 0n) transfer.holdEntryIds.push(this.hold(input.source, -input.fee, 'fee', 'Transfer to bank fee', transfer).id);
    this.state.transfers.set(transfer.id, transfer);
    this.admit(input.client, transfer);
    return transfer;
  }

  createPayout(input: {
    client: FindigiClient;
    userId: string;
    source: FiatWallet;
    amount: bigint;
    beneficiary: Beneficiary;
    beneficiaryId?: string;
    description: string;
  }): Payout {
    const payout = this.newPayout(input, undefined);
    this.admit(input.client, payout);
    return payout;
  }

  /**
   * A batch of payouts from one wallet. Every item holds its own amount at once. A maker-checker
   * workspace approves the batch as a whole; then (or at once elsewhere) an immediate batch runs,
   * a scheduled one waits for its time or for execute-now.
   */
  createBatch(input: {
    client: FindigiClient;
    userId: string;
    source: FiatWallet;
    executionMode: BatchExecutionMode;
    scheduledAt?: number;
    items: ReadonlyArray<{ beneficiary: SavedBank; amount: bigint }>;
    description: string;
  }): BatchTransfer {
    const now = this.clock.now();
    const batchId = this.state.newId();
    const itemIds = input.items.map(
      (item) =>
        this.newPayout(
          { client: input.client, userId: input.userId, source: input.source, amount: item.amount, beneficiary: item.beneficiary, beneficiaryId: item.beneficiary.id, description: input.description },
          batchId,
        ).id,
    );
    const batch: BatchTransfer = {
      id: batchId,
      clientId: input.client.id,
      sourceWalletId: input.source.id,
      asset: input.source.asset,
      executionMode: input.executionMode,
      ...(input.scheduledAt === undefined ? {} : { scheduledAt: input.scheduledAt }),
      description: input.description,
      itemIds,
      createdBy: input.userId,
      createdAt: now,
      updatedAt: now,
    };
    this.state.batches.set(batch.id, batch);
    if (input.client.approvalMode === 'maker_checker') {
      batch.approvalId = this.openApproval(input.client, 'batch_transfer', batch.id, input.userId).id;
      for (const item of this.itemsOf(batch)) this.setStatus(item, 'awaiting_approval');
      return batch;
    }
    this.release(batch);
    return batch;
  }

  approve(approval: Approval, userId: string, note: string | undefined): void {
    this.decide(approval, 'approved', userId, note);
    if (approval.resourceType === 'batch_transfer') {
      const batch = this.state.batches.get(approval.resourceId);
      if (batch) this.release(batch);
      return;
    }
    this.startProcessing(this.transferOf(approval));
  }

  reject(approval: Approval, userId: string, note: string | undefined): void {
    this.decide(approval, 'rejected', userId, note);
    const transfers = approval.resourceType === 'batch_transfer' ? this.itemsOf(this.state.batches.get(approval.resourceId)) : [this.transferOf(approval)];
    for (const transfer of transfers) {
      if (transfer.status !== 'awaiting_approval') continue;
      this.releaseHolds(transfer);
      this.setStatus(transfer, 'rejected');
    }
  }

  /**
   * Cancels the items that have not started (awaiting approval or waiting for the batch's time):
   * their holds are released. Items already at the rail carry on. Returns how many were cancelled.
   */
  cancelBatch(batch: BatchTransfer): number {
    const now = this.clock.now();
    let cancelled = 0;
    for (const item of this.itemsOf(batch)) {
      if (item.status !== 'awaiting_approval' && item.status !== 'pending') continue;
      this.releaseHolds(item);
      this.setStatus(item, 'cancelled');
      cancelled += 1;
    }
    const approval = batch.approvalId === undefined ? undefined : this.state.approvals.get(batch.approvalId);
    if (approval?.status === 'pending') {
      approval.status = 'cancelled';
      approval.decidedAt = now;
    }
    if (cancelled > 0) {
      batch.cancelledAt = now;
      batch.updatedAt = now;
    }
    return cancelled;
  }

  /** Runs a batch's waiting items now (a scheduled batch before its time); false while it awaits approval. */
  executeNow(batch: BatchTransfer): boolean {
    const approval = batch.approvalId === undefined ? undefined : this.state.approvals.get(batch.approvalId);
    if (approval !== undefined && approval.status !== 'approved') return false;
    return this.run(batch.id) > 0;
  }

  itemsOf(batch: BatchTransfer | undefined): Payout[] {
    if (!batch) return [];
    return batch.itemIds.map((id) => this.state.transfers.get(id)).filter((item): item is Payout => item?.kind === 'payout');
  }

  /** The batch's status, from its items'. */
  batchStatus(batch: BatchTransfer): BatchStatus {
    const statuses = this.itemsOf(batch).map((item) => item.status);
    if (statuses.includes('awaiting_approval')) return 'awaiting_approval';
    if (statuses.includes('processing')) return 'processing';
    if (statuses.includes('pending')) return batch.executionMode === 'scheduled' ? 'scheduled' : 'processing';
    const distinct = new Set(statuses);
    if (distinct.size === 1) {
      const [only] = distinct;
      if (only === 'completed' || only === 'failed' || only === 'rejected' || only === 'cancelled') return only;
    }
    return 'partially_completed';
  }

  /** Approved (or needing no approval): an immediate batch runs now, a scheduled one at its time. */
  private release(batch: BatchTransfer): void {
    const due = batch.executionMode === 'immediate' || (batch.scheduledAt ?? 0) <= this.clock.now();
    for (const item of this.itemsOf(batch)) if (item.status === 'awaiting_approval') this.setStatus(item, 'pending');
    if (due) {
      this.run(batch.id);
      return;
    }
    this.batchRun.at(batch.scheduledAt ?? this.clock.now(), { batchId: batch.id });
  }

  /** Starts every waiting item of a batch (by id, so the task holds no object). */
  private run(batchId: string): number {
    const batch = this.state.batches.get(batchId);
    if (!batch) return 0;
    let started = 0;
    for (const item of this.itemsOf(batch)) {
      if (item.status !== 'pending') continue;
      this.startProcessing(item);
      started += 1;
    }
    if (started > 0) {
      batch.executedAt ??= this.clock.now();
      batch.updatedAt = this.clock.now();
    }
    return started;
  }

  private newPayout(
    input: { client: FindigiClient; userId: string; source: FiatWallet; amount: bigint; beneficiary: Beneficiary; beneficiaryId?: string; description: string },
    batchId: string | undefined,
  ): Payout {
    const now = this.clock.now();
    const payout: Payout = {
      kind: 'payout',
      id: this.state.newId(),
      clientId: input.client.id,
      sourceWalletId: input.source.id,
      amount: input.amount,
      asset: input.source.asset,
      beneficiary: { bankCode: input.beneficiary.bankCode, accountNumber: input.beneficiary.accountNumber, accountName: input.beneficiary.accountName },
      ...(input.beneficiaryId === undefined ? {} : { beneficiaryId: input.beneficiaryId }),
      description: input.description,
      // A batch item waits for its batch; a single payout is admitted (approval or processing) at once.
      status: batchId === undefined ? 'processing' : 'pending',
      createdBy: input.userId,
      createdAt: now,
      updatedAt: now,
      ...(batchId === undefined ? {} : { batchId }),
    };
    payout.holdEntryId = this.hold(input.source, -input.amount, 'payout', `Payout to ${input.beneficiary.bankCode} ${input.beneficiary.accountNumber}`, payout).id;
    this.state.transfers.set(payout.id, payout);
    return payout;
  }

  private admit(client: FindigiClient, transfer: Transfer): void {
    if (client.approvalMode === 'maker_checker') {
      transfer.approvalId = this.openApproval(client, transfer.kind, transfer.id, transfer.createdBy).id;
      this.setStatus(transfer, 'awaiting_approval');
      return;
    }
    this.startProcessing(transfer);
  }

  private openApproval(client: FindigiClient, resourceType: Approval['resourceType'], resourceId: string, requestedBy: string): Approval {
    const approval: Approval = { id: this.state.newId(), clientId: client.id, resourceType, resourceId, status: 'pending', requestedBy, createdAt: this.clock.now() };
    this.state.approvals.set(approval.id, approval);
    return approval;
  }

  private decide(approval: Approval, status: 'approved' | 'rejected', userId: string, note: string | undefined): void {
    approval.status = status;
    approval.decidedBy = userId;
    approval.decidedAt = this.clock.now();
    if (note !== undefined) approval.note = note;
  }

  private transferOf(approval: Approval): Transfer {
    const transfer = this.state.transfers.get(approval.resourceId);
    if (!transfer) throw new Error(`approval ${approval.id} refers to unknown transfer ${approval.resourceId}`);
    return transfer;
  }

  private startProcessing(transfer: Transfer): void {
    this.setStatus(transfer, 'processing');
    if (transfer.kind === 'wallet_transfer') {
      this.walletTransferSettled.in(WALLET_TRANSFER_SETTLE_MS, { transferId: transfer.id });
      return;
    }
    this.sendInstruction(transfer);
  }

  private completeWalletTransfer(transfer: WalletTransfer): void {
    const now = this.clock.now();
    if (transfer.holdEntryId !== undefined) this.state.fiat.book(transfer.holdEntryId, now);
    this.state.postFiat(transfer.destinationWalletId, {
      amount: transfer.amount,
      kind: 'transfer_in',
      description: `Transfer from wallet ${transfer.sourceWalletId}`,
      at: now,
      status: 'booked',
      meta: { referenceType: 'wallet_transfer', referenceId: transfer.id },
    });
    this.touch(transfer.sourceWalletId, now);
    this.touch(transfer.destinationWalletId, now);
    this.setStatus(transfer, 'completed');
  }

  /** The rail: the instruction is sent after INSTRUCTION_SEND_MS and settles (or fails) INSTRUCTION_COMPLETE_MS later. */
  private sendInstruction(transfer: BankTransfer | Payout): void {
    const now = this.clock.now();
    const instruction: PayoutInstruction = {
      id: this.state.newId(),
      transferId: transfer.id,
      clientId: transfer.clientId,
      rail: 'xendit',
      channelCode: `${transfer.asset.code === 'SGD' ? 'SG' : 'ID'}_${transfer.beneficiary.bankCode}`,
      externalId: `findigi-${transfer.id}`,
      amount: transfer.amount,
      asset: transfer.asset,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    };
    this.state.instructions.set(instruction.id, instruction);
    transfer.instructionId = instruction.id;
    this.instructionSent.in(INSTRUCTION_SEND_MS, { instructionId: instruction.id });
  }

  private settleInstruction(instructionId: string): void {
    const instruction = this.state.instructions.get(instructionId);
    const transfer = instruction === undefined ? undefined : this.state.transfers.get(instruction.transferId);
    if (!instruction || !transfer || transfer.kind === 'wallet_transfer') return;
    const now = this.clock.now();
    instruction.updatedAt = now;
    if (transfer.beneficiary.accountNumber === REJECTED_ACCOUNT_NUMBER) {
      instruction.status = 'failed';
      instruction.failureCode = 'INVALID_DESTINATION';
      transfer.failureReason = 'The beneficiary bank rejected the account number.';
      this.releaseHolds(transfer);
      this.setStatus(transfer, 'failed');
      return;
    }
    instruction.status = 'completed';
    for (const entryId of holdsOf(transfer)) this.state.fiat.book(entryId, now);
    this.touch(transfer.sourceWalletId, now);
    this.setStatus(transfer, 'completed');
  }

  private hold(wallet: FiatWallet, amount: bigint, kind: string, description: string, transfer: Transfer): { id: string } {
    this.touch(wallet.id, this.clock.now());
    return this.state.postFiat(wallet.id, {
      amount,
      kind,
      description,
      at: this.clock.now(),
      status: 'pending',
      meta: { referenceType: transfer.kind, referenceId: transfer.id },
    });
  }

  private releaseHolds(transfer: Transfer): void {
    for (const entryId of holdsOf(transfer)) {
      if (this.state.fiat.isPending(entryId)) this.state.fiat.voidEntry(entryId, this.clock.now());
    }
  }

  private touch(walletId: string, at: number): void {
    const wallet = this.state.wallets.get(walletId);
    if (wallet) wallet.updatedAt = at;
  }

  private setStatus(transfer: Transfer, status: TransferStatus): void {
    transfer.status = status;
    transfer.updatedAt = this.clock.now();
    this.webhooks.emit(`${transfer.kind}.${status}`, transfer.clientId, renderTransfer(transfer));
  }
}

export type BatchStatus = 'awaiting_approval' | 'scheduled' | 'processing' | 'completed' | 'partially_completed' | 'failed' | 'rejected' | 'cancelled';

function holdsOf(transfer: Transfer): string[] {
  switch (transfer.kind) {
    case 'bank_transfer':
      return transfer.holdEntryIds;
    case 'wallet_transfer':
    case 'payout':
      return transfer.holdEntryId === undefined ? [] : [transfer.holdEntryId];
  }
}

/** Fees of a transfer to bank, per source currency. */
export function bankTransferFee(assetValue: Asset): bigint {
  switch (assetValue.code) {
    case 'IDR':
      return 2_500n;
    case 'SGD':
      return 100n;
    default:
      return 500n;
  }
}

/** Banks a wallet currency can pay out to (the sandbox's corridors). */
export const BANK_CORRIDORS: Readonly<Record<string, readonly string[]>> = {
  IDR: ['BCA', 'BNI', 'BRI', 'MANDIRI', 'PERMATA', 'CIMB'],
  SGD: ['DBS', 'OCBC', 'UOB'],
};
