/** INDEXO (Berlin Group NextGenPSD2) resources as the sandbox keeps them. */
export const SANDBOX_PSU_ID = 'SANDBOX_INDICATOR_1';
export const SANDBOX_CHALLENGE = '123456';

export type ScaStatus = 'received' | 'started' | 'finalised' | 'failed';
export type ConsentStatus = 'received' | 'valid' | 'rejected' | 'expired' | 'terminatedByTpp';
/** ISO 20022 payment statuses the sandbox moves through. */
export type TransactionStatus = 'RCVD' | 'ACTC' | 'ACSP' | 'ACSC' | 'RJCT';

export interface Psu {
  readonly id: string;
  readonly name: string;
  readonly accountIds: string[];
}

export interface IndexoAccount {
  readonly resourceId: string;
  readonly iban: string;
  readonly currency: 'EUR';
  readonly name: string;
  readonly product: string;
  readonly ownerName: string;
  readonly psuId: string;
}

export interface ConsentAccess {
  accounts: string[];
  balances: string[];
  transactions: string[];
}

/** A decoupled SCA authorisation of a consent or a payment. */
export interface Authorisation {
  readonly id: string;
  scaStatus: ScaStatus;
  readonly challenge: string | number;
}

export interface Consent {
  readonly id: string;
  readonly psuId: string;
  /** IBANs per access kind; `allAccounts` when the request named none (production behaviour). */
  readonly access: ConsentAccess;
  readonly allAccounts: boolean;
  readonly recurringIndicator: boolean;
  readonly validUntil: string;
  readonly validUntilMs: number;
  readonly frequencyPerDay: number;
  status: ConsentStatus;
  readonly authorisation: Authorisation;
  readonly createdAt: number;
  lastActionAt: number;
  readonly notification?: NotificationTarget;
}

export interface Payment {
  readonly id: string;
  readonly psuId: string;
  readonly debtorAccountId: string;
  readonly debtorIban: string;
  readonly creditorIban: string;
  readonly creditorName: string;
  readonly remittance?: string;
  readonly endToEndId?: string;
  readonly amount: bigint;
  status: TransactionStatus;
  readonly authorisation: Authorisation;
  readonly createdAt: number;
  statusChangedAt: number;
  readonly notification?: NotificationTarget;
  debitEntryId?: string;
  rejectReason?: string;
}

/** Where and what to notify (TPP-Notification-URI, TPP-Notification-Content-Preferred). */
export interface NotificationTarget {
  readonly uri: string;
  readonly sca: boolean;
  readonly process: boolean;
  readonly lastOnly: boolean;
}

export interface IndexoEntryMeta {
  entryReference: string;
  counterpartyName: string;
  counterpartyIban: string;
  remittance: string;
  bankTransactionCode: string;
  paymentId?: string;
}
