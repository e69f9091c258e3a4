import type { ResourceFetcher, ResourceRecord, StoredResource, SyncPage, SyncPageRequest } from '@finmesh/connector-kit';
import type { FinmeshEvent } from '@finmesh/schemas';
import type { Pool } from 'pg';
import { z } from 'zod';
import { AccountSchema, isConsentUnusable, type IndexoClient } from './client';
import { isoDay, type ConsentService, type UsableConsent } from './consents';
import { balanceUpdated, transactionPosted } from './normalize';

export const RESOURCE_KINDS = { account: 'account' } as const;

export interface IndexoSyncOptions {
  client: IndexoClient;
  consents: ConsentService;
  pool: Pool;
  transactionsHistoryDays: number;
}

/** What the connector keeps per account: INDEXO's account object and the consent it is read under. */
const keptAccountSchema = z.object({ consentId: z.string(), account: AccountSchema });

function keptAccount(resource: StoredResource): z.infer<typeof keptAccountSchema> {
  return keptAccountSchema.parse(resource.data);
}

function covers(consent: UsableConsent, iban: string): boolean {
  return consent.allAccounts || consent.ibans.includes(iban);
}

/**
 * Runs one INDEXO call under a consent, if the consent's daily budget allows it. A consent INDEXO
 * refuses (expired, revoked, unknown) is marked and skipped; other failures fail the page.
 */
async function underConsent<T>(options: IndexoSyncOptions, consent: UsableConsent, access: string, request: SyncPageRequest, call: () => Promise<T>): Promise<T | undefined> {
  if (!(await options.consents.useAccess(consent, access))) {
    request.log.info('consent access budget for today is spent; skipped until tomorrow', { consentId: consent.consentId, access });
    return undefined;
  }
  try {
    return await call();
  } catch (error: unknown) {
    if (isConsentUnusable(error)) {
      await options.consents.markUnusable(consent.consentId, error);
      return undefined;
    }
    throw error;
  }
}

/** Accounts available under each usable consent, kept (id: the IBAN) with the consent they are read under. No events. */
export function accountsFetcher(options: IndexoSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const records: ResourceRecord[] = [];
      for (const consent of await options.consents.usable()) {
        const accounts = await underConsent(options, consent, 'accounts', request, () => options.client.accounts(consent.consentId, request.signal));
        for (const { value, raw } of accounts ?? []) {
          if (!covers(consent, value.iban)) continue;
          records.push({ kind: RESOURCE_KINDS.account, id: value.iban, data: { consentId: consent.consentId, account: raw } });
        }
      }
      return { events: [], records, cursor: null, hasMore: false };
    },
  };
}

/** Each kept account's balances (through its `balances` link) as `balance.updated`. */
export function balancesFetcher(options: IndexoSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const consents = new Map((await options.consents.usable()).map((consent) => [consent.consentId, consent]));
      const events: FinmeshEvent[] = [];
      for (const resource of await request.resources.list(RESOURCE_KINDS.account)) {
        const { consentId, account } = keptAccount(resource);
        const consent = consents.get(consentId);
        const link = account._links?.balances?.href;
        if (!consent || link === undefined || !covers(consent, account.iban)) continue;
        const balances = await underConsent(options, consent, `balances:${account.iban}`, request, () => options.client.balances(link, consentId, request.signal));
        if (balances) events.push(balanceUpdated(account.iban, balances, request));
      }
      return { events, cursor: null, hasMore: false };
    },
  };
}

const transactionsCursorSchema = z.strictObject({
  /** Per IBAN: the booking date the next run reads from (inclusive). */
  since: z.record(z.string(), z.iso.date()),
  /** The account the run is at, and INDEXO's `_links.next` of its next page. */
  at: z.string().optional(),
  next: z.string().optional(),
  /** The newest booking date seen for `at` in this run. */
  newest: z.iso.date().optional(),
});
type TransactionsCursor = z.infer<typeof transactionsCursorSchema>;

function readCursor(cursor: string | null): TransactionsCursor {
  if (cursor === null) return { since: {} };
  const parsed = transactionsCursorSchema.safeParse(JSON.parse(cursor));
  if (!parsed.success) throw new Error('the stored transactions cursor has an unknown shape');
  return parsed.data;
}

/**
 * Transactions, one page of one account per sync page: booked since the account's watermark
 * (its newest booking date; a first run reads INDEXO_TRANSACTIONS_HISTORY_DAYS back) and all
 * pending ones, following `_links.next`. Re-reading a day gives the same event ids. Pending and
 * booked are separate facts (separate ids); only booked ones move money in the ledger.
 */
export function transactionsFetcher(options: IndexoSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor = readCursor(request.cursor);
      const consents = new Map((await options.consents.usable()).map((consent) => [consent.consentId, consent]));
      const accounts = (await request.resources.list(RESOURCE_KINDS.account)).map(keptAccount);
      let index = cursor.at === undefined ? 0 : accounts.findIndex((entry) => entry.account.iban === cursor.at);
      if (index < 0) index = accounts.findIndex((entry) => cursor.at !== undefined && entry.account.iban > cursor.at);
      let next = cursor.next;
      for (; index >= 0 && index < accounts.length; index += 1, next = undefined) {
        const entry = accounts[index];
        if (!entry) break;
        const { consentId, account } = entry;
        const consent = consents.get(consentId);
        const link = account._links?.transactions?.href;
        if (!consent || link === undefined || !covers(consent, account.iban)) continue;
        const since = cursor.since[account.iban] ?? isoDay(new Date(request.observedAt.getTime() - options.transactionsHistoryDays * 86_400_000));
        const query: Array<[string, string]> = next === undefined ? [['dateFrom', since], ['bookingStatus', 'both']] : [];
        const pageLink = next ?? link;
        const page = await underConsent(options, consent, `transactions:${account.iban}`, request, () =>
          options.client.transactions(pageLink, consentId, query, request.signal),
        );
        if (!page) continue;
        const ownPaymentIds = await paymentIdsAmong(options.pool, [...page.booked, ...page.pending].flatMap(({ value }) => (value.endToEndId === undefined ? [] : [value.endToEndId])));
        const events: FinmeshEvent[] = [
          ...page.booked.map(({ value }) => transactionPosted(account.iban, value, 'booked', ownPaymentIds, request)),
          ...page.pending.map(({ value }) => transactionPosted(account.iban, value, 'pending', ownPaymentIds, request)),
        ];
        let newest = next === undefined ? undefined : cursor.newest;
        for (const { value } of page.booked) if (value.bookingDate !== undefined && (newest === undefined || value.bookingDate > newest)) newest = value.bookingDate;
        if (page.next !== undefined) {
          const resumed: TransactionsCursor = { since: cursor.since, at: account.iban, next: page.next, ...(newest === undefined ? {} : { newest }) };
          return { events, cursor: JSON.stringify(resumed), hasMore: true };
        }
        const watermarks = { ...cursor.since, [account.iban]: newest !== undefined && newest > since ? newest : since };
        const more = index + 1 < accounts.length;
        const following = accounts[index + 1];
        return {
          events,
          cursor: JSON.stringify(more && following ? { since: watermarks, at: following.account.iban } : { since: watermarks }),
          hasMore: more,
        };
      }
      return { events: [], cursor: JSON.stringify({ since: cursor.since }), hasMore: false };
    },
  };
}

/** Which of these end-to-end ids are payments this connector initiated (one query per page). */
async function paymentIdsAmong(pool: Pool, ids: readonly string[]): Promise<ReadonlySet<string>> {
  if (ids.length === 0) return new Set();
  const result = await pool.query<{ provider_payment_id: string }>('SELECT provider_payment_id FROM indexo_payment_initiations WHERE provider_payment_id = ANY($1)', [
    [...new Set(ids)],
  ]);
  return new Set(result.rows.map((row) => row.provider_payment_id));
}

