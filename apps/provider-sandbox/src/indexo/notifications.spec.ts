import { verifyStandardWebhook } from '@finmesh/signing';
import type { Sandbox } from '../sandbox';
import { CallbackReceiver } from '../testing/callback-receiver';
import { API, indexoHeaders } from '../testing/indexo-requests';
import { advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('INDEXO status notifications to TPP-Notification-URI (real listener)', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;
  let psuId: string;

  beforeEach(async () => {
    receiver = await CallbackReceiver.start();
    sandbox = await createTestSandbox({ liveActivity: false, indexo: { notificationSigningSecrets: [SECRET] } });
    psuId = sandbox.groundTruth('indexo').find((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1')?.references.psuId ?? '';
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function pay(extraHeaders: Record<string, string>): Promise<string> {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `${API}/payments/sepa-credit-transfers`,
      headers: indexoHeaders(psuId, extraHeaders),
      payload: { creditorName: 'X', creditorAccount: { iban: 'LV26IDXO1001010000787' }, instructedAmount: { currency: 'EUR', amount: '1.00' } },
    });
    return json<{ paymentId: string }>(response).paymentId;
  }

  const received = () => receiver.received.map((callback) => JSON.parse(callback.body) as { paymentId: string; scaStatus?: string; transactionStatus?: string });

  it('notifies every SCA and payment status change, signed as a Standard Webhook', async () => {
    const paymentId = await pay({ 'tpp-notification-uri': receiver.url });
    await advanceClock(sandbox, 20_000);
    await advanceClock(sandbox, 30_000);
    await advanceClock(sandbox, 120_000);
    expect(received().map((body) => body.scaStatus ?? body.transactionStatus)).toEqual(['started', 'finalised', 'ACTC', 'ACSP', 'ACSC']);
    expect(received().every((body) => body.paymentId === paymentId)).toBe(true);
    for (const callback of receiver.received) {
      expect(verifyStandardWebhook({ headers: callback.headers, body: callback.body }, { secrets: [SECRET] }).ok).toBe(true);
    }
  });

  it('sends only final statuses with TPP-Notification-Content-Preferred: status=PROCESS,LAST', async () => {
    await pay({ 'tpp-notification-uri': receiver.url, 'tpp-notification-content-preferred': 'status=PROCESS,LAST' });
    await advanceClock(sandbox, 170_000);
    expect(received().map((body) => body.transactionStatus)).toEqual(['ACSC']);
  });

  it('refuses a malformed notification URI', async () => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `${API}/payments/sepa-credit-transfers`,
      headers: indexoHeaders(psuId, { 'tpp-notification-uri': 'not a url' }),
      payload: { creditorName: 'X', creditorAccount: { iban: 'LV26IDXO1001010000787' }, instructedAmount: { currency: 'EUR', amount: '1.00' } },
    });
    expect(response.statusCode).toBe(400);
  });
});
