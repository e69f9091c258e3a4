import type { SandboxClock, TaskKind } from '../core/clock';
import { MINUTE, SECOND } from '../core/time';
import type { AccountTransfer, WireTransfer } from './model';
import type { IndxState } from './state';

export const WIRE_PROCESSING_AFTER_MS = 30 * SECOND;
export const WIRE_SETTLED_AFTER_MS = 5 * MINUTE;
export const TRANSFER_SETTLED_AFTER_MS = 10 * SECOND;

/** What the receiving banks do next; the admin API changes it (`PUT /_admin/indx/scenario`). */
export interface IndxScenario {
  wireOutcome: 'complete' | 'fail';
}

/**
 * Wires go pending → processing → completed (debit and fee booked) or failed (voided); an
 * account-to-account transfer goes pending → completed (debit booked, credit booked).
 */
export class IndxLifecycle {
  private readonly wireProcessing: TaskKind<{ wireId: string; fails: boolean }>;
  private readonly wireSettled: TaskKind<{ wireId: string; fails: boolean }>;
  private readonly transferSettled: TaskKind<{ transferId: string }>;

  constructor(
    private readonly state: IndxState,
    private readonly clock: SandboxClock,
    readonly scenario: IndxScenario,
  ) {
    this.wireProcessing = clock.define('indx.wire.processing', ({ wireId, fails }) => {
      const wire = this.state.wires.get(wireId);
      if (!wire) return;
      wire.status = 'processing';
      wire.updatedAt = this.clock.now();
      this.wireSettled.in(WIRE_SETTLED_AFTER_MS - WIRE_PROCESSING_AFTER_MS, { wireId, fails });
    });
    this.wireSettled = clock.define('indx.wire.settled', ({ wireId, fails }) => {
      const wire = this.state.wires.get(wireId);
      if (wire) this.settleWire(wire, fails);
    });
    this.transferSettled = clock.define('indx.transfer.settled', ({ transferId }) => {
      const transfer = this.state.transfers.get(transferId);
      if (transfer) this.settleTransfer(transfer);
    });
  }

  startWire(wire: WireTransfer): void {
    // Decided when the wire is sent, as the beneficiary bank's answer would be.
    const fails = this.scenario.wireOutcome === 'fail' || this.state.externalAccounts.get(wire.externalAccountId)?.returnsWires === true;
    this.wireProcessing.in(WIRE_PROCESSING_AFTER_MS, { wireId: wire.id, fails });
  }

  startTransfer(transfer: AccountTransfer): void {
    this.transferSettled.in(TRANSFER_SETTLED_AFTER_MS, { transferId: transfer.id });
  }

  private settleWire(wire: WireTransfer, fails: boolean): void {
    const now = this.clock.now();
    for (const entryId of wire.entryIds) {
      if (fails) this.state.book.voidEntry(entryId, now);
      else this.state.book.book(entryId, now);
    }
    wire.status = fails ? 'failed' : 'completed';
    if (fails) wire.failureReason = 'Returned by the beneficiary bank: account closed.';
    wire.updatedAt = now;
  }

  private settleTransfer(transfer: AccountTransfer): void {
    const now = this.clock.now();
    this.state.book.book(transfer.debitEntryId, now);
    transfer.creditEntryId = this.state.post(transfer.toAccountId, {
      type: 'transfer_in',
      amount: transfer.amount,
      description: transfer.description || `Transfer from ${transfer.fromAccountId}`,
      at: now,
      status: 'booked',
      transferId: transfer.id,
      reference: transfer.id,
    }).id;
    transfer.status = 'completed';
    transfer.updatedAt = now;
  }
}
