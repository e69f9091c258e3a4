import type { Sandbox } from '../sandbox';
import { API, indexoHeaders } from '../testing/indexo-requests';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

interface PaymentCreated {
  transactionStatus: string;
  paymentId: string;
  challengeData: { data: unknown[] };
  _links: Record<string, { href: string }>;
}

const EXTERNAL_CREDITOR = 'LV26IDXO1001010000787';

let sandbox: Sandbox;
let psuId: string;
let debtorIban: string;
let debtorId: string;

async function openSandbox(): Promise<void> {
  sandbox = await createTestSandbox({ liveActivity: false });
  const debtor = sandbox.groundTruth('indexo').find((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1');
  psuId = debtor?.references.psuId ?? '';
  debtorIban = debtor?.references.iban ?? '';
  debtorId = debtor?.accountId ?? '';
}

const closeSandbox = (): Promise<void> => sandbox.close();

async function initiate(body: Record<string, unknown>) {
  return sandbox.app.inject({ method: 'POST', url: `${API}/payments/sepa-credit-transfers`, headers: indexoHeaders(psuId), payload: body });
}

const status = async (paymentId: string) =>
  json<{ transactionStatus: string }>(await sandbox.app.inject({ method: 'GET', url: `${API}/payments/sepa-credit-transfers/${paymentId}/status`, headers: indexoHeaders(psuId) }))
    .transactionStatus;

const scaStatus = async (created: PaymentCreated) =>
  json<{ scaStatus: string }>(await sandbox.app.inject({ method: 'GET', url: `/indexo/external/openbanking/api/${created._links.scaStatus?.href ?? ''}`, headers: indexoHeaders(psuId) }))
    .scaStatus;

describe('INDEXO SEPA credit transfers (live rules)', () => {
  beforeEach(openSandbox);
  afterEach(closeSandbox);

  it('initiates with RCVD, a challenge and the documented _links, then moves ACTC → ACSP → ACSC and books the debit', async () => {
    const response = await initiate({
      creditorName: 'James Bond',
      remittanceInformationUnstructured: 'Ref number merchant',
      debtorAccount: { iban: debtorIban },
      creditorAccount: { iban: EXTERNAL_CREDITOR },
      instructedAmount: { currency: 'EUR', amount: 100 },
    });
    expect(response.statusCode).toBe(201);
    const created = json<PaymentCreated>(response);
    expect(Object.keys(created)).toEqual(['transactionStatus', 'paymentId', 'challengeData', '_links']);
    expect(created.transactionStatus).toBe('RCVD');
    expect(created.challengeData.data).toEqual([expect.any(Number)]);
    const base = `v1/payments/sepa-credit-transfers/${created.paymentId}`;
    expect(created._links).toEqual({
      authorisationsIDs: { href: `${base}/authorisations` },
      scaStatus: { href: expect.stringMatching(new RegExp(`^${base}/authorisations/[0-9a-f-]{36}$`)) },
      status: { href: `${base}/status` },
      details: { href: base },
      self: { href: 'v1/payments/sepa-credit-transfers' },
    });

    const authorisations = json(await sandbox.app.inject({ method: 'GET', url: `/indexo/external/openbanking/api/${created._links.authorisationsIDs?.href ?? ''}`, headers: indexoHeaders(psuId) }));
    expect(authorisations).toEqual({ authorisationIds: [created._links.scaStatus?.href.split('/').pop()] });
    expect(await scaStatus(created)).toBe('received');
    await advanceClock(sandbox, 5_000);
    expect(await scaStatus(created)).toBe('started');
    expect(await status(created.paymentId)).toBe('RCVD');
    await advanceClock(sandbox, 15_000);
    expect(await scaStatus(created)).toBe('finalised');
    expect(await status(created.paymentId)).toBe('ACTC');
    await advanceClock(sandbox, 30_000);
    expect(await status(created.paymentId)).toBe('ACSP');
    const pending = sandbox.groundTruth('indexo', { accountId: debtorId })[0]?.transactions?.at(-1);
    expect(pending).toMatchObject({ status: 'pending', amount: { amount: '-10000', asset: 'EUR/2' }, references: { paymentId: created.paymentId } });
    await advanceClock(sandbox, 120_000);
    expect(await status(created.paymentId)).toBe('ACSC');
    expect(sandbox.groundTruth('indexo', { accountId: debtorId })[0]?.transactions?.at(-1)).toMatchObject({ status: 'booked', amount: { amount: '-10000' } });

    const details = json(await sandbox.app.inject({ method: 'GET', url: `${API}/payments/sepa-credit-transfers/${created.paymentId}`, headers: indexoHeaders(psuId) }));
    expect(details).toEqual({
      debtorAccount: { iban: debtorIban },
      instructedAmount: { currency: 'EUR', amount: '100.00' },
      creditorAccount: { iban: EXTERNAL_CREDITOR },
      creditorName: 'James Bond',
      remittanceInformationUnstructured: 'Ref number merchant',
      transactionStatus: 'ACSC',
    });
  });

  it('pays from the PSU current account when debtorAccount is left out (production behaviour) and credits an INDEXO creditor', async () => {
    const creditor = sandbox.groundTruth('indexo').find((account) => account.references.psuId !== psuId);
    const before = BigInt(creditor?.balance.amount ?? '0');
    const created = json<PaymentCreated>(await initiate({ creditorName: 'Friend', creditorAccount: { iban: creditor?.references.iban }, instructedAmount: { currency: 'EUR', amount: '12.34' } }));
    await advanceClock(sandbox, 20_000 + 30_000 + 120_000);
    expect(await status(created.paymentId)).toBe('ACSC');
    expect(BigInt(sandbox.groundTruth('indexo', { accountId: creditor?.accountId ?? '' })[0]?.balance.amount ?? '0')).toBe(before + 1234n);
  });

  it('rejects (RJCT) when funds are insufficient, when SCA fails, or when the bank rejects', async () => {
    const tooMuch = json<PaymentCreated>(await initiate({ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, debtorAccount: { iban: debtorIban }, instructedAmount: { currency: 'EUR', amount: '99999999' } }));
    await advanceClock(sandbox, 50_000);
    expect(await status(tooMuch.paymentId)).toBe('RJCT');

    await sandbox.app.inject({ method: 'PUT', url: '/_admin/indexo/scenario', headers: ADMIN_HEADERS, payload: { scaOutcome: 'failed' } });
    const declined = json<PaymentCreated>(await initiate({ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'EUR', amount: '1' } }));
    await advanceClock(sandbox, 20_000);
    expect(await scaStatus(declined)).toBe('failed');
    expect(await status(declined.paymentId)).toBe('RJCT');

    await sandbox.app.inject({ method: 'PUT', url: '/_admin/indexo/scenario', headers: ADMIN_HEADERS, payload: { scaOutcome: 'finalised', paymentOutcome: 'reject' } });
    const bankRejected = json<PaymentCreated>(await initiate({ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'EUR', amount: '1' } }));
    await advanceClock(sandbox, 50_000);
    expect(await status(bankRejected.paymentId)).toBe('RJCT');
    expect(sandbox.groundTruth('indexo', { accountId: debtorId })[0]?.transactions?.some((entry) => entry.references.paymentId !== undefined)).toBe(false);
  });

});

describe('INDEXO payment refusals (one sandbox: refused requests change nothing)', () => {
  beforeAll(openSandbox);
  afterAll(closeSandbox);

  it.each([
    [{ creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'EUR', amount: 1 } }, 'creditorName'],
    [{ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'USD', amount: 1 } }, 'SEPA credit transfers are in EUR only.'],
    [{ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'EUR', amount: 1.234 } }, 'must be a positive amount with at most 2 decimals'],
    [{ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, instructedAmount: { currency: 'EUR', amount: -5 } }, 'must be a positive amount'],
    [{ creditorName: 'X', creditorAccount: { iban: 'LV11INDX1681306232593' }, instructedAmount: { currency: 'EUR', amount: 1 } }, 'is not a valid IBAN'],
    [{ creditorName: 'X', creditorAccount: { iban: EXTERNAL_CREDITOR }, debtorAccount: { iban: 'LV62IDXO1001010002370' }, instructedAmount: { currency: 'EUR', amount: 1 } }, 'is not accessible with this PSU-ID'],
  ])('refuses %j with FORMAT_ERROR', async (body, text) => {
    const response = await initiate(body);
    expect(response.statusCode).toBe(400);
    expect(json<{ tppMessages: Array<{ code: string; text: string }> }>(response).tppMessages[0]).toMatchObject({ code: 'FORMAT_ERROR', text: expect.stringContaining(text) });
  });

  it('answers an unknown payment with RESOURCE_UNKNOWN', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: `${API}/payments/sepa-credit-transfers/nope/status`, headers: indexoHeaders(psuId) });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ tppMessages: [{ category: 'ERROR', code: 'RESOURCE_UNKNOWN', text: 'The payment is not known.' }] });
  });
});
