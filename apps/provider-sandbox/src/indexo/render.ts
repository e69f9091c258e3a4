import type { BookEntry } from '../core/book';
import { formatMinor } from '../core/money';
import { isoDate } from '../core/time';
import type { Consent, IndexoAccount, IndexoEntryMeta, Payment } from './model';
import { EUR } from './state';

/** `_links` as INDEXO writes them: hrefs relative to the API root (`v1/...`). */
export function consentLinks(consent: Consent): Record<string, { href: string }> {
  const base = `v1/consents/${consent.id}`;
  return {
    authorisationsIDs: { href: `${base}/authorisations` },
    scaStatus: { href: `${base}/authorisations/${consent.authorisation.id}` },
    status: { href: `${base}/status` },
    resourceDeletion: { href: base },
    self: { href: base },
  };
}

export function paymentLinks(payment: Payment): Record<string, { href: string }> {
  const base = `v1/payments/sepa-credit-transfers/${payment.id}`;
  return {
    authorisationsIDs: { href: `${base}/authorisations` },
    scaStatus: { href: `${base}/authorisations/${payment.authorisation.id}` },
    status: { href: `${base}/status` },
    details: { href: base },
    self: { href: 'v1/payments/sepa-credit-transfers' },
  };
}

export function renderAccount(account: IndexoAccount): Record<string, unknown> {
  return {
    resourceId: account.resourceId,
    iban: account.iban,
    currency: account.currency,
    name: account.name,
    product: account.product,
    cashAccountType: 'CACC',
    status: 'enabled',
    ownerName: account.ownerName,
    _links: {
      balances: { href: `v1/accounts/${account.resourceId}/balances` },
      transactions: { href: `v1/accounts/${account.resourceId}/transactions` },
    },
  };
}

export function amountJson(minor: bigint): { currency: string; amount: string } {
  return { currency: EUR.code, amount: formatMinor(minor, EUR.precision) };
}

export function renderTransaction(entry: BookEntry<IndexoEntryMeta>): Record<string, unknown> {
  const debit = entry.amount < 0n;
  const counterparty = debit
    ? { creditorName: entry.meta.counterpartyName, creditorAccount: { iban: entry.meta.counterpartyIban } }
    : { debtorName: entry.meta.counterpartyName, debtorAccount: { iban: entry.meta.counterpartyIban } };
  const dates = entry.status === 'booked' && entry.settledAt !== undefined ? { bookingDate: isoDate(entry.settledAt), valueDate: isoDate(entry.settledAt) } : {};
  return {
    transactionId: entry.id,
    entryReference: entry.meta.entryReference,
    ...(entry.meta.paymentId === undefined ? {} : { endToEndId: entry.meta.paymentId }),
    ...dates,
    transactionAmount: amountJson(entry.amount),
    ...counterparty,
    remittanceInformationUnstructured: entry.meta.remittance,
    bankTransactionCode: entry.meta.bankTransactionCode,
  };
}

export function renderPaymentDetails(payment: Payment): Record<string, unknown> {
  return {
    debtorAccount: { iban: payment.debtorIban },
    instructedAmount: amountJson(payment.amount),
    creditorAccount: { iban: payment.creditorIban },
    creditorName: payment.creditorName,
    ...(payment.remittance === undefined ? {} : { remittanceInformationUnstructured: payment.remittance }),
    ...(payment.endToEndId === undefined ? {} : { endToEndIdentification: payment.endToEndId }),
    transactionStatus: payment.status,
  };
}
