import type { Sandbox } from '../sandbox';
import { API, indexoHeaders } from '../testing/indexo-requests';
import { advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

/** The documentation's "Start experimenting with Sandbox" rules, with its own sample requests. */
describe('INDEXO documented sandbox mode', () => {
  let sandbox: Sandbox;
  const headers = indexoHeaders('SANDBOX_INDICATOR_1');

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false, indexo: { sandboxRules: true } });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('answers the documented consent sample: valid, challenge "123456", data created for the named IBAN', async () => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `${API}/consents`,
      headers,
      payload: {
        access: {
          accounts: [{ iban: 'LV11INDX1681306232593' }],
          balances: [{ iban: 'LV11INDX1681306232593' }],
          transactions: [{ iban: 'LV11INDX1681306232593' }],
        },
        recurringIndicator: true,
        validUntil: '2025-12-31T00:00:00Z',
        frequencyPerDay: 0,
      },
    });
    expect(response.statusCode).toBe(201);
    const consent = json<{ consentStatus: string; consentId: string; challengeData: unknown; _links: { scaStatus: { href: string } } }>(response);
    expect(consent).toMatchObject({ consentStatus: 'valid', challengeData: { data: ['123456'] } });
    const sca = await sandbox.app.inject({ method: 'GET', url: `/indexo/external/openbanking/api/${consent._links.scaStatus.href}`, headers });
    expect(json(sca)).toEqual({ scaStatus: 'finalised' });

    const accounts = json<{ accounts: Array<{ iban: string; resourceId: string }> }>(
      await sandbox.app.inject({ method: 'GET', url: `${API}/accounts`, headers: { ...headers, 'consent-id': consent.consentId } }),
    ).accounts;
    expect(accounts.map((account) => account.iban)).toEqual(['LV11INDX1681306232593']);
    const truth = sandbox.groundTruth('indexo', { accountId: accounts[0]?.resourceId ?? '' })[0];
    expect(truth?.transactionCount).toBeGreaterThan(1);
  });

  it('answers the documented payment sample with RCVD and challenge "123456", and needs debtorAccount', async () => {
    const sample = {
      creditorName: 'James Bond',
      remittanceInformationUnstructured: 'Ref number merchant',
      debtorAccount: { iban: 'LV62IDXO1001010002370' },
      creditorAccount: { iban: 'LV26IDXO1001010000787' },
      instructedAmount: { currency: 'EUR', amount: 100 },
    };
    const response = await sandbox.app.inject({ method: 'POST', url: `${API}/payments/sepa-credit-transfers`, headers, payload: sample });
    expect(response.statusCode).toBe(201);
    const payment = json<{ transactionStatus: string; paymentId: string; challengeData: unknown }>(response);
    expect(payment).toMatchObject({ transactionStatus: 'RCVD', challengeData: { data: ['123456'] } });
    await advanceClock(sandbox, 150_000);
    const status = await sandbox.app.inject({ method: 'GET', url: `${API}/payments/sepa-credit-transfers/${payment.paymentId}/status`, headers });
    expect(json(status)).toEqual({ transactionStatus: 'ACSC' });

    const { debtorAccount: _debtor, ...withoutDebtor } = sample;
    const missing = await sandbox.app.inject({ method: 'POST', url: `${API}/payments/sepa-credit-transfers`, headers, payload: withoutDebtor });
    expect(missing.statusCode).toBe(400);
    expect(json(missing)).toEqual({ tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'debtorAccount.iban is mandatory in the sandbox.' }] });
  });
});
