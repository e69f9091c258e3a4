import type { Sandbox } from '../sandbox';
import { API, indexoHeaders } from '../testing/indexo-requests';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

interface ConsentCreated {
  consentStatus: string;
  consentId: string;
  challengeData: { data: unknown[] };
  _links: Record<string, { href: string }>;
}

interface Transaction {
  transactionId: string;
  transactionAmount: { currency: string; amount: string };
  bookingDate?: string;
}

describe('INDEXO consents and account information (decoupled SCA)', () => {
  let sandbox: Sandbox;
  let psuId: string;
  let ibans: string[];

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
    const accounts = sandbox.groundTruth('indexo').filter((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1');
    psuId = accounts[0]?.references.psuId ?? '';
    ibans = accounts.filter((account) => account.references.psuId === psuId).map((account) => account.references.iban ?? '');
  });

  afterEach(async () => {
    await sandbox.close();
  });

  async function createConsent(access: Record<string, Array<{ iban: string }>>, validUntil = '2025-12-31'): Promise<ConsentCreated> {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `${API}/consents`,
      headers: indexoHeaders(psuId),
      payload: { access, recurringIndicator: true, validUntil, frequencyPerDay: 4 },
    });
    expect(response.statusCode).toBe(201);
    return json<ConsentCreated>(response);
  }

  const get = (path: string, headers: Record<string, string> = {}) =>
    sandbox.app.inject({ method: 'GET', url: `${API}/${path}`, headers: indexoHeaders(psuId, headers) });

  it('creates a consent with challengeData and _links exactly as documented, then SCA moves received → started → finalised', async () => {
    const all = ibans.map((iban) => ({ iban }));
    const consent = await createConsent({ accounts: all, balances: all, transactions: all });
    expect(Object.keys(consent)).toEqual(['consentStatus', 'consentId', 'challengeData', '_links']);
    expect(consent.consentStatus).toBe('received');
    expect(consent.challengeData.data).toEqual([expect.stringMatching(/^\d{5}$/)]);
    const scaHref = consent._links.scaStatus?.href ?? '';
    const authorisationId = scaHref.split('/').pop() ?? '';
    expect(consent._links).toEqual({
      authorisationsIDs: { href: `v1/consents/${consent.consentId}/authorisations` },
      scaStatus: { href: `v1/consents/${consent.consentId}/authorisations/${authorisationId}` },
      status: { href: `v1/consents/${consent.consentId}/status` },
      resourceDeletion: { href: `v1/consents/${consent.consentId}` },
      self: { href: `v1/consents/${consent.consentId}` },
    });

    const sca = async () => json<{ scaStatus: string }>(await get(scaHref.slice('v1/'.length))).scaStatus;
    expect(await sca()).toBe('received');
    await advanceClock(sandbox, 5_000);
    expect(await sca()).toBe('started');
    await advanceClock(sandbox, 15_000);
    expect(await sca()).toBe('finalised');
    expect(json(await get(`consents/${consent.consentId}/status`))).toEqual({ consentStatus: 'valid' });
    expect(json(await get(`consents/${consent.consentId}/authorisations`))).toEqual({ authorisationIds: [authorisationId] });
    expect(json(await get(`consents/${consent.consentId}`))).toMatchObject({ recurringIndicator: true, validUntil: '2025-12-31', frequencyPerDay: 4, consentStatus: 'valid' });
  });

  it('serves accounts, balances and transactions that agree with the ground truth', async () => {
    const all = ibans.map((iban) => ({ iban }));
    const consent = await createConsent({ accounts: all, balances: all, transactions: all });
    await advanceClock(sandbox, 20_000);
    const consentHeader = { 'consent-id': consent.consentId };
    const accounts = json<{ accounts: Array<{ resourceId: string; iban: string; _links: Record<string, { href: string }> }> }>(
      await get('accounts?withBalance=true', consentHeader),
    ).accounts;
    expect(accounts.map((account) => account.iban).sort()).toEqual([...ibans].sort());
    const account = accounts[0];
    if (!account) throw new Error('no account');
    const truth = sandbox.groundTruth('indexo', { accountId: account.resourceId })[0];

    const balances = json<{ balances: Array<{ balanceType: string; balanceAmount: { amount: string } }> }>(await get(`accounts/${account.resourceId}/balances`, consentHeader));
    const interim = balances.balances.find((balance) => balance.balanceType === 'interimBooked');
    expect(interim?.balanceAmount.amount.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1')).toBe(truth?.balance.amount);
    expect(balances.balances.map((balance) => balance.balanceType)).toEqual(['closingBooked', 'interimBooked', 'interimAvailable']);

    const transactions = json<{ transactions: { booked: Transaction[]; pending: Transaction[]; _links: Record<string, unknown> } }>(
      await get(`accounts/${account.resourceId}/transactions?dateFrom=2024-01-01&bookingStatus=both`, consentHeader),
    ).transactions;
    const total = transactions.booked.reduce((sum, transaction) => sum + BigInt(transaction.transactionAmount.amount.replace('.', '')), 0n);
    expect(total.toString()).toBe(truth?.balance.amount);
    expect(transactions.booked.map((transaction) => transaction.transactionId).sort()).toEqual(truth?.transactions?.map((entry) => entry.id).sort());
    expect(transactions.booked[0]).toMatchObject({ bookingDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), transactionAmount: { currency: 'EUR' } });
  });

  it('filters transactions by date and requires bookingStatus and dateFrom', async () => {
    const consent = await createConsent({ transactions: [{ iban: ibans[0] ?? '' }] });
    await advanceClock(sandbox, 20_000);
    const accountId = sandbox.groundTruth('indexo').find((account) => account.references.iban === ibans[0])?.accountId ?? '';
    const headers = { 'consent-id': consent.consentId };
    const missing = await get(`accounts/${accountId}/transactions?dateFrom=2025-01-01`, headers);
    expect(json(missing)).toMatchObject({ tppMessages: [{ code: 'FORMAT_ERROR', text: 'bookingStatus is required: booked, pending or both.' }] });
    const noFrom = await get(`accounts/${accountId}/transactions?bookingStatus=booked`, headers);
    expect(noFrom.statusCode).toBe(400);
    const day = json<{ transactions: { booked: Transaction[] } }>(await get(`accounts/${accountId}/transactions?dateFrom=2025-03-01&dateTo=2025-03-01&bookingStatus=booked`, headers));
    expect(day.transactions.booked.every((transaction) => transaction.bookingDate === '2025-03-01')).toBe(true);
  });

  it('enforces what the consent covers, its status, expiry and deletion', async () => {
    const accountOnly = await createConsent({ accounts: [{ iban: ibans[0] ?? '' }] });
    const accountId = sandbox.groundTruth('indexo').find((account) => account.references.iban === ibans[0])?.accountId ?? '';
    const early = await get(`accounts/${accountId}`, { 'consent-id': accountOnly.consentId });
    expect(early.statusCode).toBe(401);
    expect(json(early)).toMatchObject({ tppMessages: [{ code: 'CONSENT_INVALID', text: 'The consent is received, not valid.' }] });
    await advanceClock(sandbox, 20_000);
    expect((await get(`accounts/${accountId}`, { 'consent-id': accountOnly.consentId })).statusCode).toBe(200);
    const balances = await get(`accounts/${accountId}/balances`, { 'consent-id': accountOnly.consentId });
    expect(json(balances)).toMatchObject({ tppMessages: [{ code: 'CONSENT_INVALID', text: 'The consent does not give balances access to this account.' }] });
    expect(json(await get('accounts', {}))).toMatchObject({ tppMessages: [{ code: 'FORMAT_ERROR', text: 'Header Consent-ID is missing.' }] });
    expect(json(await get('accounts', { 'consent-id': 'nope' }))).toMatchObject({ tppMessages: [{ code: 'CONSENT_UNKNOWN' }] });

    const deleted = await sandbox.app.inject({ method: 'DELETE', url: `${API}/consents/${accountOnly.consentId}`, headers: indexoHeaders(psuId) });
    expect(deleted.statusCode).toBe(204);
    expect(json(await get(`consents/${accountOnly.consentId}/status`))).toEqual({ consentStatus: 'terminatedByTpp' });

    const shortLived = await createConsent({}, '2025-03-04');
    await advanceClock(sandbox, 2 * 24 * 3600_000);
    const expired = await get('accounts', { 'consent-id': shortLived.consentId });
    expect(expired.statusCode).toBe(401);
    expect(json(expired)).toMatchObject({ tppMessages: [{ code: 'CONSENT_EXPIRED' }] });
  });

  it('rejects the consent when the PSU declines SCA', async () => {
    await sandbox.app.inject({ method: 'PUT', url: '/_admin/indexo/scenario', headers: ADMIN_HEADERS, payload: { scaOutcome: 'failed' } });
    const consent = await createConsent({});
    await advanceClock(sandbox, 20_000);
    expect(json(await get(`consents/${consent.consentId}/status`))).toEqual({ consentStatus: 'rejected' });
    expect(json(await get(consent._links.scaStatus?.href.slice(3) ?? ''))).toEqual({ scaStatus: 'failed' });
  });

  it.each([
    [{ access: {}, recurringIndicator: true, validUntil: '2025-12-31' }, 'frequencyPerDay: Invalid input'],
    [{ access: {}, recurringIndicator: true, validUntil: '2024-01-01', frequencyPerDay: 1 }, 'validUntil 2024-01-01 is in the past.'],
    [{ access: { accounts: [{ iban: 'LV00XXXX' }] }, recurringIndicator: true, validUntil: '2025-12-31', frequencyPerDay: 1 }, 'LV00XXXX is not a valid IBAN.'],
  ])('refuses a malformed consent %j', async (payload, text) => {
    const response = await sandbox.app.inject({ method: 'POST', url: `${API}/consents`, headers: indexoHeaders(psuId), payload });
    expect(response.statusCode).toBe(400);
    expect(json<{ tppMessages: Array<{ code: string; text: string }> }>(response).tppMessages[0]).toMatchObject({ code: 'FORMAT_ERROR', text: expect.stringContaining(text) });
  });
});
