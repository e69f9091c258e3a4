import { ConnectorApiError, describeError, UpstreamError, type ConnectorLogger } from '@finmesh/connector-kit';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { IndexoClient, NotificationTarget } from './client';

/** What finmesh does with a consent: waits for SCA, uses it, or stopped using it (and says why). */
export type ConsentState = 'pending_sca' | 'active' | 'failed' | 'expired' | 'revoked' | 'deleted';

const linksSchema = z.object({ scaStatus: z.object({ href: z.string() }), status: z.object({ href: z.string() }), resourceDeletion: z.object({ href: z.string() }) });
type ConsentLinks = z.infer<typeof linksSchema>;

interface ConsentRow {
  consent_id: string;
  psu_id: string;
  ibans: string[];
  all_accounts: boolean;
  valid_until: string;
  frequency_per_day: number;
  recurring: boolean;
  challenge: string;
  links: unknown;
  state: ConsentState;
  sca_status: string;
  consent_status: string;
  reason: string | null;
  sca_checks: number;
  next_check_at: Date;
  expiry_reported_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A consent as the connector's API shows it. */
export interface ConsentView {
  consentId: string;
  state: ConsentState;
  /** Show this to the PSU: they confirm it in the INDEXO app (decoupled SCA). */
  challenge: string;
  scaStatus: string;
  consentStatus: string;
  access: { allAccounts: boolean; ibans: string[] };
  validUntil: string;
  frequencyPerDay: number;
  recurringIndicator: boolean;
  /** Why the consent is not (or no longer) in use. */
  reason?: string;
  /** The consent ends within the warning window: a new one must be authorised by the PSU. */
  expiresSoon: boolean;
  expiryReportedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A consent the sync may use. */
export interface UsableConsent {
  consentId: string;
  allAccounts: boolean;
  ibans: readonly string[];
  frequencyPerDay: number;
}

export const createConsentSchema = z.strictObject({
  /** Accounts to cover; omitted or empty: all of the PSU's accounts (production mode only). */
  ibans: z.array(z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, { message: 'must be an IBAN without spaces' })).max(50).optional(),
  validUntil: z.iso.date({ message: 'must be a date YYYY-MM-DD' }),
  /** Accesses per day and account and kind (Berlin Group); 0: no daily limit asked for. */
  frequencyPerDay: z.number().int().min(0).max(1_000),
  recurringIndicator: z.boolean().default(true),
});
export type CreateConsentRequest = z.output<typeof createConsentSchema>;

export interface ConsentServiceOptions {
  pool: Pool;
  client: IndexoClient;
  psuId: string;
  mode: 'production' | 'sandbox';
  notification: NotificationTarget | undefined;
  scaPoll: { initialMs: number; maxMs: number; timeoutMs: number };
  statusIntervalMs: number;
  expiryWarningDays: number;
  log: ConnectorLogger;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * INDEXO consents: creation (the challenge goes back to the caller at once), decoupled SCA
 * followed through the `_links` with bounded backoff, the consent status, validity and the
 * daily access budget, expiry reports, and deletion through the resource-deletion link.
 */
export class ConsentService {
  private readonly now: () => Date;

  constructor(private readonly options: ConsentServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async create(request: CreateConsentRequest, signal?: AbortSignal): Promise<ConsentView> {
    const ibans = [...new Set(request.ibans ?? [])];
    if (ibans.length === 0 && this.options.mode === 'sandbox') {
      throw new ConnectorApiError('invalid_request', 'the INDEXO sandbox cannot find accounts from the PSU-ID: name the ibans');
    }
    if (Date.parse(`${request.validUntil}T23:59:59.999Z`) < this.now().getTime()) {
      throw new ConnectorApiError('invalid_request', 'validUntil is in the past');
    }
    let created;
    try {
      created = await this.options.client.createConsent(
        { ibans, validUntil: request.validUntil, frequencyPerDay: request.frequencyPerDay, recurringIndicator: request.recurringIndicator },
        this.options.notification,
        signal,
      );
    } catch (error: unknown) {
      if (error instanceof UpstreamError) throw ConnectorApiError.fromUpstream(error);
      throw error;
    }
    const consent = created.value;
    const challenge = String(consent.challengeData.data[0]);
    const now = this.now();
    const links: ConsentLinks = { scaStatus: consent._links.scaStatus, status: consent._links.status, resourceDeletion: consent._links.resourceDeletion };
    await this.options.pool.query(
      `INSERT INTO indexo_consents (consent_id, psu_id, ibans, all_accounts, valid_until, frequency_per_day, recurring, challenge, links, state,
                                    sca_status, consent_status, next_check_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending_sca', 'received', $10, $11, $11, $11)`,
      [consent.consentId, this.options.psuId, ibans, ibans.length === 0, request.validUntil, request.frequencyPerDay, request.recurringIndicator, challenge, JSON.stringify(links), consent.consentStatus, now],
    );
    this.options.log.info('consent created; waiting for the PSU to confirm the challenge in the INDEXO app', { consentId: consent.consentId });
    const view = await this.get(consent.consentId);
    if (!view) throw new Error(`consent ${consent.consentId} vanished`);
    return view;
  }

  async get(consentId: string): Promise<ConsentView | undefined> {
    const row = (await this.options.pool.query<ConsentRow>('SELECT *, valid_until::text AS valid_until FROM indexo_consents WHERE consent_id = $1', [consentId])).rows[0];
    return row ? this.viewOf(row) : undefined;
  }

  async list(): Promise<ConsentView[]> {
    const rows = await this.options.pool.query<ConsentRow>('SELECT *, valid_until::text AS valid_until FROM indexo_consents ORDER BY created_at DESC LIMIT 500');
    return rows.rows.map((row) => this.viewOf(row));
  }

  /** Deletes the consent at INDEXO through its resource-deletion link; the sync stops using it. */
  async delete(consentId: string, signal?: AbortSignal): Promise<ConsentView> {
    const row = (await this.options.pool.query<ConsentRow>('SELECT *, valid_until::text AS valid_until FROM indexo_consents WHERE consent_id = $1', [consentId])).rows[0];
    if (!row) throw new ConnectorApiError('not_found', `no consent ${consentId}`);
    if (row.state !== 'deleted') {
      try {
        await this.options.client.deleteConsent(linksOf(row).resourceDeletion.href, signal);
      } catch (error: unknown) {
        // Already gone at INDEXO: deleting it here is still right.
        if (!(error instanceof UpstreamError && error.providerCode === 'CONSENT_UNKNOWN')) {
          if (error instanceof UpstreamError) throw ConnectorApiError.fromUpstream(error);
          throw error;
        }
      }
      await this.setState(consentId, 'deleted', 'deleted through the connector API', { consentStatus: 'terminatedByTpp' });
    }
    const view = await this.get(consentId);
    if (!view) throw new Error(`consent ${consentId} vanished`);
    return view;
  }

  /** Consents the sync may read under now: active and not past their validity. */
  async usable(): Promise<UsableConsent[]> {
    const rows = await this.options.pool.query<ConsentRow>(
      `SELECT *, valid_until::text AS valid_until FROM indexo_consents WHERE state = 'active' AND valid_until >= $1::date ORDER BY created_at`,
      [isoDay(this.now())],
    );
    return rows.rows.map((row) => ({ consentId: row.consent_id, allAccounts: row.all_accounts, ibans: row.ibans, frequencyPerDay: row.frequency_per_day }));
  }

  /**
   * Counts one access under the consent (per UTC day, account and kind) if its frequencyPerDay
   * allows another; false when today's budget is spent.
   */
  async useAccess(consent: UsableConsent, access: string): Promise<boolean> {
    if (consent.frequencyPerDay === 0) return true;
    const result = await this.options.pool.query(
      `INSERT INTO indexo_consent_usage (consent_id, day, access, count) VALUES ($1, $2::date, $3, 1)
       ON CONFLICT (consent_id, day, access) DO UPDATE SET count = indexo_consent_usage.count + 1
         WHERE indexo_consent_usage.count < $4
       RETURNING count`,
      [consent.consentId, isoDay(this.now()), access, consent.frequencyPerDay],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** INDEXO refused a consent during the sync: it is not used again, and the reason is kept. */
  async markUnusable(consentId: string, error: UpstreamError): Promise<void> {
    const state: ConsentState = error.providerCode === 'CONSENT_EXPIRED' ? 'expired' : 'revoked';
    this.options.log.warn('INDEXO refused a consent; the sync stops using it', { consentId, providerCode: error.providerCode });
    await this.setState(consentId, state, `INDEXO answered ${error.providerCode ?? 'an error'}: ${error.message}`, {});
  }

  /** A status notification about a consent: check it now instead of at its next scheduled time. */
  async wake(consentId: string): Promise<boolean> {
    const result = await this.options.pool.query(
      `UPDATE indexo_consents SET next_check_at = $2 WHERE consent_id = $1 AND state IN ('pending_sca', 'active')`,
      [consentId, this.now()],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** One round: SCA and status checks that are due, then expiry reports. Returns how many consents were checked. */
  async checkDue(signal: AbortSignal): Promise<number> {
    const now = this.now();
    const claimed = await this.options.pool.query<ConsentRow>(
      `UPDATE indexo_consents SET next_check_at = $2
        WHERE consent_id IN (SELECT consent_id FROM indexo_consents WHERE state IN ('pending_sca', 'active') AND next_check_at <= $1
                              ORDER BY next_check_at LIMIT 50 FOR UPDATE SKIP LOCKED)
        RETURNING *, valid_until::text AS valid_until`,
      [now, new Date(now.getTime() + 60_000)],
    );
    for (const row of claimed.rows) {
      if (signal.aborted) break;
      try {
        if (row.state === 'pending_sca') await this.checkSca(row, signal);
        else await this.checkStatus(row, signal);
      } catch (error: unknown) {
        if (signal.aborted) break;
        const delay = this.backoff(row.sca_checks);
        this.options.log.warn('consent check failed; retried later', { consentId: row.consent_id, error: describeError(error), retryInMs: delay });
        await this.options.pool.query('UPDATE indexo_consents SET sca_checks = sca_checks + 1, next_check_at = $2 WHERE consent_id = $1', [
          row.consent_id,
          new Date(this.now().getTime() + delay),
        ]);
      }
    }
    await this.reportExpiring();
    return claimed.rows.length;
  }

  private async checkSca(row: ConsentRow, signal: AbortSignal): Promise<void> {
    const links = linksOf(row);
    const scaStatus = await this.options.client.scaStatus(links.scaStatus.href, 'consents.sca-status', signal);
    if (scaStatus === 'failed') {
      await this.setState(row.consent_id, 'failed', 'SCA failed: the PSU did not confirm the challenge in the INDEXO app', { scaStatus });
      this.options.log.warn('consent SCA failed; the consent is not used', { consentId: row.consent_id });
      return;
    }
    if (scaStatus === 'finalised' || scaStatus === 'exempted') {
      const consentStatus = await this.options.client.consentStatus(links.status.href, signal);
      if (consentStatus === 'valid') {
        await this.setState(row.consent_id, 'active', null, { scaStatus, consentStatus, nextCheckInMs: this.options.statusIntervalMs });
        this.options.log.info('consent authorised and valid', { consentId: row.consent_id });
        return;
      }
      if (consentStatus !== 'received' && consentStatus !== 'partiallyAuthorised') {
        await this.setState(row.consent_id, 'failed', `SCA ${scaStatus}, but INDEXO reports consentStatus ${consentStatus}`, { scaStatus, consentStatus });
        return;
      }
    }
    const elapsed = this.now().getTime() - row.created_at.getTime();
    if (elapsed > this.options.scaPoll.timeoutMs) {
      await this.setState(row.consent_id, 'failed', `SCA not finalised within ${Math.round(this.options.scaPoll.timeoutMs / 1000)} s (last scaStatus ${scaStatus})`, { scaStatus });
      this.options.log.warn('consent SCA timed out; the consent is not used', { consentId: row.consent_id });
      return;
    }
    await this.options.pool.query(
      'UPDATE indexo_consents SET sca_status = $2, sca_checks = sca_checks + 1, next_check_at = $3, updated_at = $4 WHERE consent_id = $1',
      [row.consent_id, scaStatus, new Date(this.now().getTime() + this.backoff(row.sca_checks)), this.now()],
    );
  }

  private async checkStatus(row: ConsentRow, signal: AbortSignal): Promise<void> {
    let consentStatus: string;
    try {
      consentStatus = await this.options.client.consentStatus(linksOf(row).status.href, signal);
    } catch (error: unknown) {
      if (error instanceof UpstreamError && error.providerCode === 'CONSENT_UNKNOWN') {
        await this.markUnusable(row.consent_id, error);
        return;
      }
      throw error;
    }
    if (consentStatus === 'valid') {
      await this.options.pool.query('UPDATE indexo_consents SET consent_status = $2, sca_checks = 0, next_check_at = $3 WHERE consent_id = $1', [
        row.consent_id,
        consentStatus,
        new Date(this.now().getTime() + this.options.statusIntervalMs),
      ]);
      return;
    }
    const state: ConsentState = consentStatus === 'expired' ? 'expired' : 'revoked';
    await this.setState(row.consent_id, state, `INDEXO reports consentStatus ${consentStatus}`, { consentStatus });
    this.options.log.warn('a consent is no longer valid; the sync stops using it', { consentId: row.consent_id, consentStatus });
  }

  /** Active consents ending within the warning window are reported once (a new consent needs the PSU). */
  private async reportExpiring(): Promise<void> {
    const horizon = new Date(this.now().getTime() + this.options.expiryWarningDays * DAY_MS);
    const reported = await this.options.pool.query<{ consent_id: string; valid_until: string }>(
      `UPDATE indexo_consents SET expiry_reported_at = $2
        WHERE state = 'active' AND expiry_reported_at IS NULL AND valid_until <= $1::date
        RETURNING consent_id, valid_until::text AS valid_until`,
      [isoDay(horizon), this.now()],
    );
    for (const row of reported.rows) {
      this.options.log.warn('a consent expires soon: the PSU must authorise a new one to keep the accounts in sync', {
        consentId: row.consent_id,
        validUntil: row.valid_until,
      });
    }
  }

  private async setState(
    consentId: string,
    state: ConsentState,
    reason: string | null,
    extra: { scaStatus?: string; consentStatus?: string; nextCheckInMs?: number },
  ): Promise<void> {
    const now = this.now();
    await this.options.pool.query(
      `UPDATE indexo_consents SET state = $2, reason = $3, sca_status = COALESCE($4, sca_status), consent_status = COALESCE($5, consent_status),
              next_check_at = $6, updated_at = $7
        WHERE consent_id = $1`,
      [consentId, state, reason, extra.scaStatus ?? null, extra.consentStatus ?? null, new Date(now.getTime() + (extra.nextCheckInMs ?? 0)), now],
    );
  }

  private backoff(checks: number): number {
    const { initialMs, maxMs } = this.options.scaPoll;
    return Math.min(maxMs, initialMs * 2 ** Math.min(checks, 20));
  }

  private viewOf(row: ConsentRow): ConsentView {
    const horizon = isoDay(new Date(this.now().getTime() + this.options.expiryWarningDays * DAY_MS));
    return {
      consentId: row.consent_id,
      state: row.state,
      challenge: row.challenge,
      scaStatus: row.sca_status,
      consentStatus: row.consent_status,
      access: { allAccounts: row.all_accounts, ibans: row.ibans },
      validUntil: row.valid_until,
      frequencyPerDay: row.frequency_per_day,
      recurringIndicator: row.recurring,
      ...(row.reason === null ? {} : { reason: row.reason }),
      expiresSoon: row.state === 'active' && row.valid_until <= horizon,
      ...(row.expiry_reported_at === null ? {} : { expiryReportedAt: row.expiry_reported_at.toISOString() }),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

function linksOf(row: ConsentRow): ConsentLinks {
  return linksSchema.parse(row.links);
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Runs ConsentService.checkDue on an interval until stopped. */
export class ConsentTracker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;
  private readonly abort = new AbortController();

  constructor(
    private readonly consents: ConsentService,
    private readonly intervalMs: number,
    private readonly log: ConnectorLogger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('the consent tracker is stopping'));
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.consents
        .checkDue(this.abort.signal)
        .then(() => undefined)
        .catch((error: unknown) => this.log.error('consent tracking round failed', { error: describeError(error) }))
        .finally(() => {
          this.round = undefined;
          this.schedule();
        });
    }, this.intervalMs);
  }
}
