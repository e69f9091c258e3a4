import type { SandboxClock } from '../core/clock';
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
  constructor(
    private readonly state: IndxState,
    private readonly clock: SandboxClock,
    readonly scenario: IndxScenario,
  ) {}

  startWire(wire: WireTransfer): void {
    const fails = this.scenario.wireOutcome === 'fail' || this.state.externalAccounts.get(wire.externalAccountId)?.returnsWires === true;
    this.clock.scheduleIn(WIRE_PROCESSING_AFTER_MS, `indx wire ${wire.id} processing`, () => {
      wire.status = 'processing';
      wire.updatedAt = this.clock.now();
      this.clock.scheduleIn(WIRE_SETTLED_AFTER_MS - WIRE_PROCESSING_AFTER_MS, `indx wire ${wire.id} settled`, () => {
        const now = this.clock.now();
        for (const entryId of wire.entryIds) {
          if (fails) this.state.book.voidEntry(entryId, now);
          else this.state.book.book(entryId, now);
        }
        wire.status = fails ? 'failed' : 'completed';
        if (fails) wire.failureReason = 'Returned by the beneficiary bank: account closed.';
        wire.updatedAt = now;
      });
    });
  }

  startTransfer(transfer: AccountTransfer): void {
    this.clock.scheduleIn(TRANSFER_SETTLED_AFTER_MS, `indx transfer ${transfer.id}`, () => {
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
    });
  }
}
