import type { SandboxClock, TaskKind } from '../core/clock';
import { SECOND, MINUTE } from '../core/time';
import type { Authorisation, Consent, Payment, ScaStatus, TransactionStatus } from './model';
import type { IndexoNotifier } from './notifications';
import type { IndexoState } from './state';

/** How long each step takes on the sandbox clock (decoupled SCA in the INDEXO app, then SEPA). */
export const SCA_STARTED_AFTER_MS = 5 * SECOND;
export const SCA_DECIDED_AFTER_MS = 20 * SECOND;
export const PAYMENT_ACSP_AFTER_MS = 30 * SECOND;
export const PAYMENT_ACSC_AFTER_MS = 2 * MINUTE;

/** What the PSU and the bank do next; the admin API changes it (`PUT /_admin/indexo/scenario`). */
export interface IndexoScenario {
  /** What the PSU does in the INDEXO app: approve, decline, or never answer. */
  scaOutcome: 'finalised' | 'failed' | 'never';
  /** Whether SEPA settles accepted payments or the bank rejects them. */
  paymentOutcome: 'settle' | 'reject';
}

/**
 * Moves consents and payments through decoupled SCA and, for payments, the ISO 20022 statuses:
 * RCVD → (SCA finalised) ACTC → ACSP (debit pending) → ACSC (debit booked), or RJCT. Under the
 * documented sandbox rules SCA is finalised (and a consent valid) at once.
 */
type ScaArgs = { subject: 'consent' | 'payment'; id: string; outcome: IndexoScenario['scaOutcome'] };

export class IndexoLifecycle {
  private readonly scaStarted: TaskKind<ScaArgs>;
  private readonly scaDecided: TaskKind<ScaArgs>;
  private readonly paymentAcsp: TaskKind<{ paymentId: string }>;
  private readonly paymentAcsc: TaskKind<{ paymentId: string }>;

  constructor(
    private readonly state: IndexoState,
    private readonly clock: SandboxClock,
    private readonly notifier: IndexoNotifier,
    private readonly sandboxRules: boolean,
    readonly scenario: IndexoScenario,
  ) {
    this.scaStarted = clock.define('indexo.sca.started', (args) => {
      const authorisation = this.authorisation(args);
      if (!authorisation) return;
      authorisation.scaStatus = 'started';
      this.notifySca(args, 'started');
      if (args.outcome !== 'never') this.scaDecided.in(SCA_DECIDED_AFTER_MS - SCA_STARTED_AFTER_MS, args);
    });
    this.scaDecided = clock.define('indexo.sca.decided', (args) => {
      const authorisation = this.authorisation(args);
      if (!authorisation || args.outcome === 'never') return;
      authorisation.scaStatus = args.outcome;
      this.notifySca(args, args.outcome);
      this.scaDecidedFor(args, args.outcome === 'finalised');
    });
    this.paymentAcsp = clock.define('indexo.payment.acsp', ({ paymentId }) => {
      const payment = this.state.payments.get(paymentId);
      if (payment) this.debit(payment);
    });
    this.paymentAcsc = clock.define('indexo.payment.acsc', ({ paymentId }) => {
      const payment = this.state.payments.get(paymentId);
      if (payment) this.settle(payment);
    });
  }

  startConsent(consent: Consent): void {
    if (this.sandboxRules) {
      consent.authorisation.scaStatus = 'finalised';
      consent.status = 'valid';
      return;
    }
    this.scaStarted.in(SCA_STARTED_AFTER_MS, { subject: 'consent', id: consent.id, outcome: this.scenario.scaOutcome });
  }

  startPayment(payment: Payment): void {
    if (this.sandboxRules) {
      payment.authorisation.scaStatus = 'finalised';
      this.accept(payment);
      return;
    }
    this.scaStarted.in(SCA_STARTED_AFTER_MS, { subject: 'payment', id: payment.id, outcome: this.scenario.scaOutcome });
  }

  private authorisation(args: ScaArgs): Authorisation | undefined {
    return (args.subject === 'consent' ? this.state.consents.get(args.id) : this.state.payments.get(args.id))?.authorisation;
  }

  private notifySca(args: ScaArgs, status: ScaStatus): void {
    if (args.subject === 'consent') {
      const consent = this.state.consents.get(args.id);
      if (consent) this.notifyConsentSca(consent, status);
    } else {
      const payment = this.state.payments.get(args.id);
      if (payment) this.notifyPaymentSca(payment, status);
    }
  }

  private scaDecidedFor(args: ScaArgs, approved: boolean): void {
    if (args.subject === 'consent') {
      const consent = this.state.consents.get(args.id);
      if (!consent) return;
      consent.status = approved ? 'valid' : 'rejected';
      consent.lastActionAt = this.clock.now();
      this.notifier.notify(consent.notification, {
        kind: 'process',
        final: true,
        eventType: `consent.${consent.status}`,
        body: { resourceType: 'consents', consentId: consent.id, consentStatus: consent.status, _links: { status: { href: `v1/consents/${consent.id}/status` } } },
      });
      return;
    }
    const payment = this.state.payments.get(args.id);
    if (!payment) return;
    if (approved) this.accept(payment);
    else this.reject(payment, 'The PSU did not authorise the payment.');
  }

  private accept(payment: Payment): void {
    this.setStatus(payment, 'ACTC');
    this.paymentAcsp.in(PAYMENT_ACSP_AFTER_MS, { paymentId: payment.id });
  }

  private debit(payment: Payment): void {
    const debtor = this.state.accounts.get(payment.debtorAccountId);
    if (!debtor) return;
    if (this.scenario.paymentOutcome === 'reject') {
      this.reject(payment, 'The payment was rejected by the bank.');
      return;
    }
    if (this.state.book.available(debtor.resourceId) < payment.amount) {
      this.reject(payment, 'Insufficient funds on the debtor account.');
      return;
    }
    payment.debitEntryId = this.state.post(debtor, {
      amount: -payment.amount,
      at: this.clock.now(),
      status: 'pending',
      counterpartyName: payment.creditorName,
      counterpartyIban: payment.creditorIban,
      remittance: payment.remittance ?? '',
      bankTransactionCode: 'PMNT-ICDT-ESCT',
      paymentId: payment.id,
    });
    this.setStatus(payment, 'ACSP');
    this.paymentAcsc.in(PAYMENT_ACSC_AFTER_MS, { paymentId: payment.id });
  }

  private settle(payment: Payment): void {
    const now = this.clock.now();
    if (payment.debitEntryId !== undefined) this.state.book.book(payment.debitEntryId, now);
    const creditor = this.state.accountByIban(payment.creditorIban);
    if (creditor) {
      this.state.post(creditor, {
        amount: payment.amount,
        at: now,
        status: 'booked',
        counterpartyName: this.state.accounts.get(payment.debtorAccountId)?.ownerName ?? '',
        counterpartyIban: payment.debtorIban,
        remittance: payment.remittance ?? '',
        bankTransactionCode: 'PMNT-RCDT-ESCT',
        paymentId: payment.id,
      });
    }
    this.setStatus(payment, 'ACSC');
  }

  private reject(payment: Payment, reason: string): void {
    payment.rejectReason = reason;
    this.setStatus(payment, 'RJCT');
  }

  private setStatus(payment: Payment, status: TransactionStatus): void {
    payment.status = status;
    payment.statusChangedAt = this.clock.now();
    this.notifier.notify(payment.notification, {
      kind: 'process',
      final: status === 'ACSC' || status === 'RJCT',
      eventType: `payment.${status}`,
      body: {
        resourceType: 'payments/sepa-credit-transfers',
        paymentId: payment.id,
        transactionStatus: status,
        _links: { status: { href: `v1/payments/sepa-credit-transfers/${payment.id}/status` } },
      },
    });
  }

  private notifyConsentSca(consent: Consent, status: ScaStatus): void {
    this.notifier.notify(consent.notification, {
      kind: 'sca',
      final: status === 'finalised' || status === 'failed',
      eventType: `consent.sca.${status}`,
      body: {
        resourceType: 'consents',
        consentId: consent.id,
        authorisationId: consent.authorisation.id,
        scaStatus: status,
        _links: { scaStatus: { href: `v1/consents/${consent.id}/authorisations/${consent.authorisation.id}` } },
      },
    });
  }

  private notifyPaymentSca(payment: Payment, status: ScaStatus): void {
    this.notifier.notify(payment.notification, {
      kind: 'sca',
      final: status === 'finalised' || status === 'failed',
      eventType: `payment.sca.${status}`,
      body: {
        resourceType: 'payments/sepa-credit-transfers',
        paymentId: payment.id,
        authorisationId: payment.authorisation.id,
        scaStatus: status,
        _links: { scaStatus: { href: `v1/payments/sepa-credit-transfers/${payment.id}/authorisations/${payment.authorisation.id}` } },
      },
    });
  }
}
