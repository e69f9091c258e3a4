import { UpstreamError, type ConnectorLogger, type ResourceFetcher, type ResourceReader, type ResourceRecord, type SyncPage, type SyncPageRequest } from '@finmesh/connector-kit';
import { ContractError, type FinmeshEvent } from '@finmesh/schemas';
import { z } from 'zod';
import type { AccountPage, FinxAccount, FinxClient, WithRaw } from './client';
import { accountClosed, balanceChange, keptBalanceOf, RESOURCE_KINDS, type FinxAssets, type ObservationContext } from './normalize';

export interface FinxSyncOptions {
  client: FinxClient;
  assets: FinxAssets;
  pageSize: number;
}

const accountsCursorSchema = z.strictObject({
  /** Fin X's cursor: the last account id of the previous page. */
  startingAfter: z.string().min(1),
  /** When this run began: a kept account not listed since then is gone from Fin X. */
  runStartedAt: z.iso.datetime({ offset: true }),
});
type AccountsCursor = z.infer<typeof accountsCursorSchema>;

function readCursor(cursor: string | null): AccountsCursor | undefined {
  if (cursor === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    throw new Error('the stored accounts cursor is not JSON');
  }
  const parsed = accountsCursorSchema.safeParse(json);
  if (!parsed.success) throw new Error('the stored accounts cursor has an unknown shape');
  return parsed.data;
}

/**
 * Accounts, a Fin X page per sync page. Each account is kept; its balance is published as
 * `balance.updated` only when it differs from the last one published (so a re-sync publishes
 * nothing). The last page of a run also reports, as `account.closed`, every kept account that
 * Fin X no longer lists. The next run starts again from the first page.
 */
export function accountsFetcher(options: FinxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor = readCursor(request.cursor);
      const runStartedAt = cursor?.runStartedAt ?? request.observedAt.toISOString();
      const page = await listFromCursor(options, cursor, request);
      const context: ObservationContext = { observedAt: request.observedAt, correlationId: request.correlationId, source: 'poll' };
      const { events, records } = await observeAccounts(page.accounts, request.resources, options.assets, context, request.log);
      const last = page.accounts[page.accounts.length - 1];
      if (page.hasMore && last !== undefined) {
        return { events, records, cursor: JSON.stringify({ startingAfter: last.value.id, runStartedAt }), hasMore: true };
      }
      const listed = new Set(page.accounts.map(({ value }) => value.id));
      const gone = await vanishedAccounts(request.resources, new Date(runStartedAt), listed);
      for (const accountId of gone) {
        const closed = accountClosed(accountId, context, 'no longer listed by Fin X');
        events.push(closed);
        records.push({ kind: RESOURCE_KINDS.closedAccount, id: accountId, data: { closure: 'deleted', detectedBy: 'sync', eventId: closed.id } });
      }
      return { events, records, cursor: null, hasMore: false };
    },
  };
}

/**
 * The events and records of accounts read from Fin X: the account itself always, its balance
 * when it changed. An account whose balance cannot be represented exactly gives no event (it is
 * refused with an error naming the value); it is read again, and published once Fin X's value is
 * exact.
 */
export async function observeAccounts(
  accounts: ReadonlyArray<WithRaw<FinxAccount>>,
  resources: ResourceReader,
  assets: FinxAssets,
  context: ObservationContext,
  log: ConnectorLogger,
): Promise<{ events: FinmeshEvent[]; records: ResourceRecord[] }> {
  const kept = await Promise.all(accounts.map(({ value }) => resources.get(RESOURCE_KINDS.balance, value.id)));
  const events: FinmeshEvent[] = [];
  const records: ResourceRecord[] = [];
  accounts.forEach(({ value, raw }, index) => {
    records.push({ kind: RESOURCE_KINDS.account, id: value.id, data: raw });
    try {
      const change = balanceChange(value, keptBalanceOf(kept[index]?.data), assets, context);
      if (change === undefined) return;
      events.push(...change.events);
      records.push({ kind: RESOURCE_KINDS.balance, id: value.id, data: change.kept });
    } catch (error: unknown) {
      if (!(error instanceof ContractError)) throw error;
      log.error('Fin X balance refused: it cannot be represented exactly', { accountId: value.id, reason: error.message });
    }
  });
  return { events, records };
}

/**
 * The page after the cursor. Fin X refuses a `starting_after` naming an account deleted since the
 * previous page (400): the run then lists again from the first page. That repeats no event (a
 * balance is published only when it changed) and keeps the run's start, so the accounts seen in
 * either pass count as listed.
 */
async function listFromCursor(options: FinxSyncOptions, cursor: AccountsCursor | undefined, request: SyncPageRequest): Promise<AccountPage> {
  if (cursor === undefined) return options.client.listAccounts({ limit: options.pageSize }, request.signal);
  try {
    return await options.client.listAccounts({ limit: options.pageSize, startingAfter: cursor.startingAfter }, request.signal);
  } catch (error: unknown) {
    if (!(error instanceof UpstreamError) || error.kind !== 'invalid_request') throw error;
    request.log.warn('Fin X refused the accounts cursor; listing again from the first page', { startingAfter: cursor.startingAfter, reason: error.message });
    return options.client.listAccounts({ limit: options.pageSize }, request.signal);
  }
}

/** Kept accounts not listed since the run began and not already reported closed. */
async function vanishedAccounts(resources: ResourceReader, runStartedAt: Date, listedNow: ReadonlySet<string>): Promise<string[]> {
  const candidates: string[] = [];
  let afterId: string | undefined;
  for (;;) {
    const batch = await resources.list(RESOURCE_KINDS.account, { limit: 1_000, ...(afterId === undefined ? {} : { afterId }) });
    for (const account of batch) {
      if (account.lastSeenAt < runStartedAt && !listedNow.has(account.id)) candidates.push(account.id);
    }
    const last = batch[batch.length - 1];
    if (batch.length < 1_000 || last === undefined) break;
    afterId = last.id;
  }
  const closed = await Promise.all(candidates.map((id) => resources.get(RESOURCE_KINDS.closedAccount, id)));
  return candidates.filter((_, index) => closed[index] === undefined);
}
