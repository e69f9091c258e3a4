import { randomUUID } from 'node:crypto';
import { PROVIDERS } from '@finmesh/schemas';
import { getJson } from './monitor';
import type { Reconciliation } from './reconcile';
import { SERVICES, type LocalSecrets } from './service-registry';

/**
 * `npm start -- --scenario`: a scripted minute that makes every kind of event flow. A step names
 * the apps it needs; when one of them is not in the service registry yet, the step is reported as
 * `not available yet: <app>` (in the live view and the summary) instead of being hidden.
 */
export interface ScenarioContext {
  sandboxUrl: string;
  sandboxAdminToken: string;
  /** Base URL of an app of the stack. */
  serviceUrl(app: string): string;
  /** Facts the stack read from the sandbox at start (the INDEXO PSU…). */
  facts: Readonly<Record<string, string>>;
  /** The stack's local credentials (the sandbox's FinDIGI users log in with them). */
  secrets: LocalSecrets;
  /** Messages written so far per topic (without prefix), from the partitions' end offsets. */
  topicTotals(): Promise<Map<string, number>>;
  /** A fresh ledger/sandbox comparison. */
  reconciliation(): Promise<Reconciliation | undefined>;
  /** The ledger's open discrepancies (undefined when it cannot be asked). */
  openDiscrepancies(): Promise<number | undefined>;
  /** Providers whose connector runs in this stack. */
  connectedProviders: readonly string[];
  /** How long one step may take. */
  stepTimeoutMs: number;
  log(line: string): void;
}

export interface ScenarioStep {
  id: string;
  title: string;
  /** Apps (folders of apps/) the step drives or waits for. */
  requires: readonly string[];
  /**
   * What the step does once its apps exist; a step whose apps have not landed has none yet and
   * its app's author adds it (a test fails when the apps are there and this is missing).
   */
  run?: (context: ScenarioContext, deadline: number) => Promise<string>;
}

export type StepOutcome =
  | { step: ScenarioStep; status: 'passed'; detail: string }
  | { step: ScenarioStep; status: 'failed'; detail: string }
  | { step: ScenarioStep; status: 'skipped'; detail: string };

const PROVIDER_NAMES: Record<(typeof PROVIDERS)[number], string> = {
  indx: 'INDX',
  indexo: 'INDEXO',
  indodax: 'Indodax',
  findigi: 'FinDIGI',
  finx: 'Fin X',
};

/**
 * Asks the connector for sync cycles (`POST /v1/sync`, answered when done) until the ledger holds
 * every account of the provider finmesh can see with the sandbox's balance.
 */
async function syncUntilEqual(context: ScenarioContext, provider: string, deadline: number): Promise<string> {
  let lastSync = 'no sync cycle yet';
  for (;;) {
    const cycle = await postJson<{ attempts?: Array<{ resource: string; outcome: string; error?: string }> }>(
      `${context.serviceUrl(`connector-${provider}`)}/v1/sync`,
      {},
      {},
    ).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
    lastSync =
      'attempts' in cycle
        ? (cycle.attempts ?? []).map((attempt) => `${attempt.resource} ${attempt.outcome}${attempt.error === undefined ? '' : ` (${attempt.error})`}`).join(', ')
        : `sync request failed: ${'error' in cycle ? cycle.error : 'unknown'}`;
    // The ledger consumes what the sync published; give it a moment before comparing.
    await sleep(1_500);
    const reconciliation = await context.reconciliation();
    const summary = reconciliation?.providers.find((entry) => entry.provider === provider);
    if (summary !== undefined && summary.equal > 0 && summary.equal === summary.accounts - summary.outOfScope) {
      return `${summary.equal} account(s) equal`;
    }
    if (Date.now() > deadline) {
      const state = summary === undefined ? 'no comparison available' : `${summary.equal}/${summary.accounts - summary.outOfScope} equal, ${summary.differs} differ, ${summary.missing} not in the ledger`;
      throw new Error(`${state}; last sync: ${lastSync}`);
    }
    await sleep(1_000);
  }
}

function syncStep(provider: (typeof PROVIDERS)[number]): ScenarioStep {
  return {
    id: `sync-${provider}`,
    title: `${PROVIDER_NAMES[provider]} sync: ledger balances equal the sandbox's ground truth`,
    requires: [`connector-${provider}`, 'ledger', 'provider-sandbox'],
    run: (context, deadline) => syncUntilEqual(context, provider, deadline),
  };
}

interface PaymentView {
  id: string;
  status: string;
  providerPaymentId?: string;
  history?: Array<{ rawStatus: { code: string } }>;
}

async function waitForPayment(context: ScenarioContext, app: string, id: string, deadline: number, done: (payment: PaymentView) => boolean, what: string): Promise<PaymentView> {
  for (;;) {
    const payment = await getJson<PaymentView>(`${context.serviceUrl(app)}/v1/payments/${encodeURIComponent(id)}`);
    if (done(payment)) return payment;
    if (Date.now() > deadline) throw new Error(`payment ${id} is ${payment.status}, still waiting for ${what}`);
    await sleep(500);
  }
}

async function advanceSandboxClock(context: ScenarioContext, seconds: number): Promise<void> {
  await postJson(`${context.sandboxUrl}/_admin/clock/advance`, { seconds }, { authorization: `Bearer ${context.sandboxAdminToken}` });
}

interface SandboxAccount {
  accountId: string;
  references: Record<string, string>;
}

/**
 * A SEPA credit transfer between two of the consenting PSU's accounts: created through
 * connector-indexo, authorised by decoupled SCA (the sandbox finalises it), followed RCVD → ACTC →
 * ACSP → ACSC with the sandbox clock fast-forwarded, settled, and both balances equal in the ledger.
 */
const sepaStep: ScenarioStep = {
  id: 'indexo-sepa-sca',
  title: 'INDEXO SEPA credit transfer with decoupled SCA, settled and booked',
  requires: ['connector-indexo', 'ledger', 'provider-sandbox'],
  run: async (context, deadline) => {
    const truth = await getJson<{ providers: Record<string, SandboxAccount[] | undefined> }>(
      `${context.sandboxUrl}/_admin/ground-truth?provider=indexo&transactions=false`,
      { authorization: `Bearer ${context.sandboxAdminToken}` },
    );
    const own = (truth.providers['indexo'] ?? []).filter((account) => account.references['psuId'] === context.facts['indexoPsuId'] && account.references['iban'] !== undefined);
    const [debtor, creditor] = own.map((account) => account.references['iban'] ?? '');
    if (debtor === undefined || creditor === undefined) throw new Error('the consenting PSU has fewer than two accounts');
    const connector = context.serviceUrl('connector-indexo');
    await waitForActiveConsent(context, deadline);
    const created = await postJson<PaymentView>(
      `${connector}/v1/payments`,
      { type: 'sepa_credit_transfer', debtorIban: debtor, creditorName: 'finmesh scenario', creditorIban: creditor, amount: '12.34', currency: 'EUR', remittanceInformation: 'npm start scenario' },
      { 'idempotency-key': `scenario-sepa-${randomUUID()}` },
    );
    for (const [seconds, code] of [[5, 'started'], [15, 'ACTC'], [30, 'ACSP'], [120, 'ACSC']] as const) {
      await advanceSandboxClock(context, seconds);
      await waitForPayment(context, 'connector-indexo', created.id, deadline, (payment) => (payment.history ?? []).some((entry) => entry.rawStatus.code === code), code);
    }
    await waitForPayment(context, 'connector-indexo', created.id, deadline, (payment) => payment.status === 'settled', 'settled');
    const balances = await syncUntilEqual(context, 'indexo', deadline);
    return `payment ${created.id}: SCA finalised, RCVD → ACTC → ACSP → ACSC, settled; ${balances}`;
  },
};

/**
 * An Indodax BTC withdrawal through connector-indodax: Indodax asks the ingress to verify it (the
 * ingress answers `ok` only for a withdrawal finmesh itself announced), holds it, books it a
 * minute later (the sandbox clock is fast-forwarded), and the ledger's BTC balance follows.
 */
const indodaxWithdrawalStep: ScenarioStep = {
  id: 'indodax-withdrawal',
  title: 'Indodax withdrawal: verification callback answered ok by the ingress, then booked',
  requires: ['connector-indodax', 'ingress', 'ledger', 'provider-sandbox'],
  run: async (context, deadline) => {
    const connector = context.serviceUrl('connector-indodax');
    const created = await postJson<PaymentView>(
      `${connector}/v1/payments`,
      { type: 'withdrawal', currency: 'btc', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: '0.001' },
      { 'idempotency-key': `scenario-withdrawal-${randomUUID()}` },
    );
    if (created.status !== 'accepted') throw new Error(`the withdrawal is ${created.status}, not accepted (did the ingress verify it?)`);
    await advanceSandboxClock(context, 61);
    await waitForPayment(context, 'connector-indodax', created.id, deadline, (payment) => payment.status === 'settled', 'settled');
    const balances = await syncUntilEqual(context, 'indodax', deadline);
    return `withdrawal ${created.providerPaymentId ?? created.id}: verified by the ingress, settled; ${balances}`;
  },
};

interface FindigiLogin {
  token?: string;
}
interface FindigiClients {
  clients: Array<{ client_id: string }>;
}
interface FindigiWallets {
  wallets: Array<{ id: string; currency: string; available_balance: string }>;
}

/**
 * A FinDIGI wallet transfer made at the sandbox (as FinDIGI's own user would) whose status
 * webhooks go to the ingress, are verified (x-callback-token) and published as
 * `finmesh.callback-received.v1`.
 */
const findigiWebhooksStep: ScenarioStep = {
  id: 'findigi-webhooks',
  title: 'FinDIGI webhooks verified by the ingress and published (callback-received)',
  requires: ['provider-sandbox', 'ingress'],
  run: async (context, deadline) => {
    const before = (await context.topicTotals()).get('finmesh.callback-received.v1') ?? 0;
    const base = `${context.sandboxUrl}/findigi/api`;
    const headers = await findigiSession(context, 'alpha.tester@findigi.local');
    const wallets = await getJson<FindigiWallets>(`${base}/wallets`, headers);
    const source = wallets.wallets.find((wallet) => wallet.currency === 'IDR' && BigInt(wallet.available_balance.split('.')[0] ?? '0') >= 1000n);
    if (source === undefined) throw new Error('no IDR wallet with 1000 available');
    const destination = wallets.wallets.find((wallet) => wallet.currency === 'IDR' && wallet.id !== source.id)
      ?? (await postJson<{ wallet: { id: string } }>(`${base}/wallets`, { currency: 'IDR' }, headers)).wallet;
    const transfer = await postJson<{ transfer: { id: string } }>(
      `${base}/wallets/transfers`,
      { source_wallet_id: source.id, destination_wallet_id: destination.id, amount: '1000' },
      headers,
    );
    // FinDIGI completes a wallet transfer 5 s after it starts; no need to wait for the wall clock.
    await advanceSandboxClock(context, 6);
    for (;;) {
      const published = ((await context.topicTotals()).get('finmesh.callback-received.v1') ?? 0) - before;
      if (published >= 2) return `transfer ${transfer.transfer.id}: ${published} callbacks published`;
      if (Date.now() > deadline) throw new Error(`transfer ${transfer.transfer.id}: ${published} callback(s) published, expected 2`);
      await sleep(500);
    }
  },
};

/** Logs a sandbox FinDIGI user in (2FA when asked) and returns the headers of their workspace. */
async function findigiSession(context: ScenarioContext, email: string): Promise<Record<string, string>> {
  const base = `${context.sandboxUrl}/findigi/api`;
  const test = { 'x-findigi-is-test': 'true' };
  const login = await postJson<FindigiLogin & { requires_2fa?: boolean; challenge_id?: string }>(`${base}/auth/login`, { email, password: context.secrets.findigiPassword }, test);
  let token = login.token;
  if (login.requires_2fa === true) {
    token = (await postJson<FindigiLogin>(`${base}/auth/login/2fa/verify`, { challenge_id: login.challenge_id, code: context.secrets.findigiTwoFactorCode }, test)).token;
  }
  if (token === undefined) throw new Error(`FinDIGI login of ${email} gave no token`);
  const headers: Record<string, string> = { ...test, authorization: `Bearer ${token}` };
  const clients = await getJson<FindigiClients>(`${base}/auth/my-clients`, headers);
  const clientId = clients.clients[0]?.client_id;
  if (clientId === undefined) throw new Error(`${email} has no FinDIGI workspace`);
  return { ...headers, 'x-client-id': clientId };
}

/**
 * A FinDIGI wallet transfer in the company workspace: initiated by connector-findigi (logged in
 * as the maker), waiting for approval; a checker approves it at FinDIGI; FinDIGI completes it and
 * its webhooks reach the ingress; the connector settles the payment and the ledger follows.
 */
const findigiApprovalStep: ScenarioStep = {
  id: 'findigi-approval',
  title: 'FinDIGI transfer waiting for a checker’s approval, approved, completed and booked',
  requires: ['connector-findigi', 'ingress', 'ledger', 'provider-sandbox'],
  run: async (context, deadline) => {
    const base = `${context.sandboxUrl}/findigi/api`;
    const checker = await findigiSession(context, 'checker@findigi.local');
    const wallets = (await getJson<FindigiWallets>(`${base}/wallets`, checker)).wallets.filter((wallet) => wallet.currency === 'IDR');
    const source = wallets.find((wallet) => BigInt(wallet.available_balance.split('.')[0] ?? '0') >= 1000n);
    if (source === undefined) throw new Error('the company workspace has no IDR wallet with 1000 available');
    const destination = wallets.find((wallet) => wallet.id !== source.id) ?? (await postJson<{ wallet: { id: string } }>(`${base}/wallets`, { currency: 'IDR' }, checker)).wallet;
    const created = await postJson<PaymentView>(
      `${context.serviceUrl('connector-findigi')}/v1/payments`,
      { type: 'wallet_transfer', sourceWalletId: source.id, destinationWalletId: destination.id, amount: '1000', currency: 'IDR', description: 'npm start scenario' },
      { 'idempotency-key': `scenario-findigi-${randomUUID()}` },
    );
    const waiting = await waitForPayment(context, 'connector-findigi', created.id, deadline, (payment) => payment.status === 'pending_approval', 'pending_approval');
    const approvals = await getJson<{ approvals: Array<{ id: string; resource_id: string }> }>(`${base}/approvals?status=pending`, checker);
    const approval = approvals.approvals.find((candidate) => candidate.resource_id === waiting.providerPaymentId);
    if (approval === undefined) throw new Error(`no pending approval for FinDIGI transfer ${waiting.providerPaymentId ?? '?'}`);
    await postJson(`${base}/approvals/${approval.id}/approve`, { note: 'approved by the npm start scenario' }, checker);
    await advanceSandboxClock(context, 10);
    await waitForPayment(context, 'connector-findigi', created.id, deadline, (payment) => payment.status === 'settled', 'settled');
    const balances = await syncUntilEqual(context, 'findigi', deadline);
    return `transfer ${waiting.providerPaymentId ?? created.id}: approved by the checker, completed, settled; ${balances}`;
  },
};

/**
 * The end state a newcomer should see: after a last sync of every running connector, each
 * account finmesh can see has the sandbox's balance in the ledger.
 */
const reconciledStep: ScenarioStep = {
  id: 'reconciled',
  title: 'every provider account finmesh can see: ledger balance = sandbox ground truth',
  requires: ['ledger', 'provider-sandbox'],
  run: async (context, deadline) => {
    if (context.connectedProviders.length === 0) throw new Error('no connector runs, so the ledger has nothing to compare');
    for (;;) {
      await Promise.all(
        context.connectedProviders.map((provider) => postJson(`${context.serviceUrl(`connector-${provider}`)}/v1/sync`, {}, {}).catch(() => undefined)),
      );
      await sleep(1_500);
      const [reconciliation, open] = await Promise.all([context.reconciliation(), context.openDiscrepancies()]);
      // Equal balances settle it; open discrepancies get until shortly before the deadline to clear
      // (a late booking clears them), as live activity may keep opening new ones.
      if (reconciliation?.allEqual === true && (open === 0 || Date.now() > deadline - 15_000)) {
        const equal = reconciliation.providers.reduce((sum, provider) => sum + provider.equal, 0);
        // Open discrepancies are the ledger's own findings (shown in the view), not a failed comparison.
        return `${equal} accounts of ${context.connectedProviders.length} providers equal; ${String(open ?? 'unknown')} open discrepancies in the ledger`;
      }
      if (Date.now() > deadline) {
        const differing = (reconciliation?.accounts ?? [])
          .filter((account) => account.state === 'differs' || account.state === 'missing' || account.state === 'ledger-only')
          .map((account) => `${account.provider}:${account.accountId} ${account.state}`);
        throw new Error(`${differing.length} account(s) not equal (${differing.slice(0, 5).join(', ')}), ${String(open)} open discrepancies`);
      }
    }
  },
};

/** Waits until connector-indexo holds an active consent, fast-forwarding the sandbox while the PSU's SCA runs. */
async function waitForActiveConsent(context: ScenarioContext, deadline: number): Promise<string> {
  for (;;) {
    const consents = await getJson<{ data: Array<{ consentId: string; state: string; validUntil: string }> }>(`${context.serviceUrl('connector-indexo')}/v1/consents`);
    const active = consents.data.find((consent) => consent.state === 'active');
    if (active !== undefined) return `consent ${active.consentId} active until ${active.validUntil}`;
    if (Date.now() > deadline) throw new Error(`no active INDEXO consent (states: ${consents.data.map((consent) => consent.state).join(', ') || 'none'})`);
    await advanceSandboxClock(context, 5);
    await sleep(500);
  }
}

/** INDEXO accounts are readable only under a consent the PSU authorised by decoupled SCA. */
const indexoConsentStep: ScenarioStep = {
  id: 'indexo-consent',
  title: 'INDEXO consent authorised by the PSU (decoupled SCA)',
  requires: ['connector-indexo', 'provider-sandbox'],
  run: waitForActiveConsent,
};

export const SCENARIO: readonly ScenarioStep[] = [
  indexoConsentStep,
  ...PROVIDERS.map(syncStep),
  findigiWebhooksStep,
  sepaStep,
  indodaxWithdrawalStep,
  findigiApprovalStep,
  reconciledStep,
];

/** Runs the steps in order; each gets what is left of the deadline. Never throws. */
export async function runScenario(
  steps: readonly ScenarioStep[],
  available: ReadonlySet<string>,
  context: ScenarioContext,
  onOutcome: (outcome: StepOutcome) => void = () => undefined,
  failedToStart: ReadonlyMap<string, string> = new Map(),
): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const step of steps) {
    const outcome = await runStep(step, available, context, failedToStart);
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return outcomes;
}

async function runStep(step: ScenarioStep, available: ReadonlySet<string>, context: ScenarioContext, failedToStart: ReadonlyMap<string, string>): Promise<StepOutcome> {
  const missing = step.requires.filter((app) => !available.has(app));
  const broken = missing.filter((app) => failedToStart.has(app));
  if (broken.length > 0) {
    return { step, status: 'failed', detail: broken.map((app) => `${app} failed to start: ${failedToStart.get(app) ?? ''}`).join('; ') };
  }
  if (missing.length > 0) {
    const unregistered = missing.filter((app) => !SERVICES.some((service) => service.app === app));
    const detail = unregistered.length > 0 ? `not available yet: ${unregistered.join(', ')}` : `not started this time: ${missing.join(', ')} (--without)`;
    return { step, status: 'skipped', detail };
  }
  if (step.run === undefined) return { step, status: 'failed', detail: `its apps are here but the step has no implementation` };
  context.log(`scenario: ${step.title}`);
  try {
    return { step, status: 'passed', detail: await step.run(context, Date.now() + context.stepTimeoutMs) };
  } catch (error: unknown) {
    return { step, status: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

async function postJson<T = unknown>(url: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
