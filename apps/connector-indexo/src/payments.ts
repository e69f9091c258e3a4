import { paymentInitiator, UpstreamError, type InitiatedPayment, type PaymentInitiator, type PaymentStatusPoller } from '@finmesh/connector-kit';
import { ContractError, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { IndexoClient, NotificationTarget } from './client';
import { paymentObservation } from './normalize';

const EUR = 'EUR/2';
const iban = z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, { message: 'must be an IBAN without spaces' });

/** `POST /v1/payments` bodies: a SEPA credit transfer in EUR. */
export function indexoPaymentRequestSchema(mode: 'production' | 'sandbox') {
  return z
    .strictObject({
      type: z.literal('sepa_credit_transfer'),
      /** The PSU's account; optional in production (INDEXO picks the PSU's current account), mandatory in the sandbox. */
      debtorIban: iban.optional(),
      creditorName: z.string().min(1).max(70),
      creditorIban: iban,
      amount: z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string, e.g. "100.00"' }),
      currency: z.literal('EUR'),
      remittanceInformation: z.string().min(1).max(140).optional(),
      endToEndId: z.string().regex(/^[\x20-\x7e]{1,35}$/).optional(),
    })
    .superRefine((request, context) => {
      try {
        if (BigInt(moneyFromDecimal(request.amount, EUR).amount) <= 0n) context.addIssue({ code: 'custom', path: ['amount'], message: 'must be greater than zero' });
      } catch (error: unknown) {
        if (!(error instanceof ContractError)) throw error;
        context.addIssue({ code: 'custom', path: ['amount'], message: error.message });
      }
      if (mode === 'sandbox' && request.debtorIban === undefined) {
        context.addIssue({ code: 'custom', path: ['debtorIban'], message: 'is mandatory in the INDEXO sandbox' });
      }
      if (request.debtorIban !== undefined && request.debtorIban === request.creditorIban) {
        context.addIssue({ code: 'custom', path: ['creditorIban'], message: 'must differ from debtorIban' });
      }
    });
}

const linksSchema = z.object({ scaStatus: z.object({ href: z.string() }), status: z.object({ href: z.string() }) });

/** What an initiation returned, kept for the API (the challenge) and the tracker (the links). */
export class PaymentInitiations {
  constructor(private readonly pool: Pool) {}

  async save(providerPaymentId: string, challenge: string, links: z.infer<typeof linksSchema>, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO indexo_payment_initiations (provider_payment_id, challenge, links, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider_payment_id) DO NOTHING`,
      [providerPaymentId, challenge, JSON.stringify(links), at],
    );
  }

  async get(providerPaymentId: string): Promise<{ challenge: string; links: z.infer<typeof linksSchema> } | undefined> {
    const row = (await this.pool.query<{ challenge: string; links: unknown }>('SELECT challenge, links FROM indexo_payment_initiations WHERE provider_payment_id = $1', [providerPaymentId])).rows[0];
    return row ? { challenge: row.challenge, links: linksSchema.parse(row.links) } : undefined;
  }
}

export interface IndexoPaymentsOptions {
  client: IndexoClient;
  initiations: PaymentInitiations;
  mode: 'production' | 'sandbox';
  notification: NotificationTarget | undefined;
  now?: () => Date;
}

/**
 * `POST /v1/payments/sepa-credit-transfers` with the derived Idempotency-Key (a retry returns the
 * same payment). The challenge and the links are kept; the payment's account is the debtor IBAN
 * (read from the payment's details when INDEXO chose it).
 */
export function indexoPaymentInitiator(options: IndexoPaymentsOptions): PaymentInitiator {
  const now = options.now ?? (() => new Date());
  return paymentInitiator({
    requestSchema: indexoPaymentRequestSchema(options.mode),
    async initiate(request, context): Promise<InitiatedPayment> {
      const amount = moneyFromDecimal(request.amount, EUR);
      const created = await options.client.initiatePayment(
        {
          creditorName: request.creditorName,
          creditorIban: request.creditorIban,
          ...(request.debtorIban === undefined ? {} : { debtorIban: request.debtorIban }),
          amount: moneyToDecimal(amount),
          ...(request.remittanceInformation === undefined ? {} : { remittanceInformationUnstructured: request.remittanceInformation }),
          ...(request.endToEndId === undefined ? {} : { endToEndIdentification: request.endToEndId }),
        },
        context.providerIdempotencyKey,
        options.notification,
        context.signal,
      );
      const payment = created.value;
      const links = { scaStatus: payment._links.scaStatus, status: payment._links.status };
      await options.initiations.save(payment.paymentId, String(payment.challengeData.data[0]), links, now());
      let debtorIban = request.debtorIban;
      if (debtorIban === undefined) {
        const details = payment._links.details;
        if (details === undefined) {
          throw new UpstreamError('server_error', 'indexo payments.create: no debtor given and no details link to learn it from', { provider: 'indexo', endpoint: 'payments.create' });
        }
        debtorIban = (await options.client.paymentDetails(details.href, context.signal)).debtorAccount.iban;
      }
      return {
        ...paymentObservation('indexo.iso20022', payment.transactionStatus, now().toISOString()),
        providerPaymentId: payment.paymentId,
        accountId: debtorIban,
        amount,
      };
    },
  });
}

/**
 * While the PSU has not authorised, the SCA status (`indexo.sca`); afterwards the ISO 20022
 * transaction status. A failed SCA is reported through the transaction status when the bank has
 * already rejected the payment, so a payment never gets two different final outcomes.
 */
export function indexoPaymentPoller(options: IndexoPaymentsOptions): PaymentStatusPoller {
  const now = options.now ?? (() => new Date());
  return {
    async poll(payment, context) {
      const initiation = await options.initiations.get(payment.providerPaymentId);
      if (!initiation) throw new Error(`no initiation kept for INDEXO payment ${payment.providerPaymentId}`);
      const { links } = initiation;
      const authorising = payment.status === undefined || payment.status === 'initiated' || payment.status === 'pending_authorisation';
      if (authorising) {
        const scaStatus = await options.client.scaStatus(links.scaStatus.href, 'payments.sca-status', context.signal);
        if (scaStatus !== 'failed') return paymentObservation('indexo.sca', scaStatus, now().toISOString());
        const transactionStatus = await options.client.paymentStatus(links.status.href, context.signal);
        const reason = 'SCA failed: the PSU did not authorise the payment in the INDEXO app';
        return transactionStatus === 'RJCT' || transactionStatus === 'CANC'
          ? paymentObservation('indexo.iso20022', transactionStatus, now().toISOString(), reason)
          : paymentObservation('indexo.sca', scaStatus, now().toISOString(), reason);
      }
      const transactionStatus = await options.client.paymentStatus(links.status.href, context.signal);
      return paymentObservation('indexo.iso20022', transactionStatus, now().toISOString());
    },
  };
}
