import type { SandboxClock } from '../core/clock';
import type { Asset } from '../core/money';
import { MINUTE, SECOND } from '../core/time';
import type { Approval, BankTransfer, Beneficiary, FiatWallet, FindigiClient, Transfer, TransferStatus, WalletTransfer } from './model';
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
  constructor(
    private readonly state: FindigiState,
    private readonly clock: SandboxClock,
    private readonly webhooks: FindigiWebhooks,
  ) {}

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

  approve(approval: Approval, userId: string, note: string | undefined): Transfer {
    const transfer = this.decide(approval, 'approved', userId, note);
    this.startProcessing(transfer);
    return transfer;
  }

  reject(approval: Approval, userId: string, note: string | undefined): Transfer {
    const transfer = this.decide(approval, 'rejected', userId, note);
    this.release(transfer);
    this.setStatus(transfer, 'rejected');
    return transfer;
  }

  private admit(client: FindigiClient, transfer: Transfer): void {
    if (client.approvalMode === 'maker_checker') {
      const approval: Approval = {
        id: this.state.newId(),
        clientId: client.id,
        resourceType: transfer.kind,
        resourceId: transfer.id,
        status: 'pending',
        requestedBy: transfer.createdBy,
        createdAt: this.clock.now(),
      };
      this.state.approvals.set(approval.id, approval);
      transfer.approvalId = approval.id;
      this.setStatus(transfer, 'awaiting_approval');
      return;
    }
    this.startProcessing(transfer);
  }

  private decide(approval: Approval, status: 'approved' | 'rejected', userId: string, note: string | undefined): Transfer {
    const transfer = this.state.transfers.get(approval.resourceId);
    if (!transfer) throw new Error(`approval ${approval.id} refers to unknown transfer ${approval.resourceId}`);
    approval.status = status;
    approval.decidedBy = userId;
    approval.decidedAt = this.clock.now();
    if (note !== undefined) approval.note = note;
    return transfer;
  }

  private startProcessing(transfer: Transfer): void {
    this.setStatus(transfer, 'processing');
    if (transfer.kind === 'wallet_transfer') {
      this.clock.scheduleIn(WALLET_TRANSFER_SETTLE_MS, `findigi wallet transfer ${transfer.id}`, () => this.completeWalletTransfer(transfer));
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

  private sendInstruction(transfer: BankTransfer): void {
    const now = this.clock.now();
    const instruction = {
      id: this.state.newId(),
      transferId: transfer.id,
      clientId: transfer.clientId,
      rail: 'xendit' as const,
      channelCode: `${transfer.asset.code === 'SGD' ? 'SG' : 'ID'}_${transfer.beneficiary.bankCode}`,
      externalId: `findigi-${transfer.id}`,
      amount: transfer.amount,
      asset: transfer.asset,
      status: 'pending' as const,
      createdAt: now,
      updatedAt: now,
    };
    this.state.instructions.set(instruction.id, instruction);
    transfer.instructionId = instruction.id;
    this.clock.scheduleIn(INSTRUCTION_SEND_MS, `findigi instruction ${instruction.id} sent`, () => {
      const stored = this.state.instructions.get(instruction.id);
      if (!stored) return;
      stored.status = 'sent';
      stored.updatedAt = this.clock.now();
      this.clock.scheduleIn(INSTRUCTION_COMPLETE_MS, `findigi instruction ${instruction.id} settled`, () => {
        stored.updatedAt = this.clock.now();
        if (transfer.beneficiary.accountNumber === REJECTED_ACCOUNT_NUMBER) {
          stored.status = 'failed';
          stored.failureCode = 'INVALID_DESTINATION';
          transfer.failureReason = 'The beneficiary bank rejected the account number.';
          this.release(transfer);
          this.setStatus(transfer, 'failed');
          return;
        }
        stored.status = 'completed';
        for (const entryId of transfer.holdEntryIds) this.state.fiat.book(entryId, this.clock.now());
        this.touch(transfer.sourceWalletId, this.clock.now());
        this.setStatus(transfer, 'completed');
      });
    });
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

  private release(transfer: Transfer): void {
    const entryIds = transfer.kind === 'wallet_transfer' ? [transfer.holdEntryId] : transfer.holdEntryIds;
    for (const entryId of entryIds) {
      if (entryId !== undefined && this.state.fiat.isPending(entryId)) this.state.fiat.voidEntry(entryId, this.clock.now());
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
