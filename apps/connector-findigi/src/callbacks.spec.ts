import { UntranslatableCallbackError, silentLogger } from '@finmesh/connector-kit';
import { createEvent, type CallbackReceivedEvent } from '@finmesh/schemas';
import { findigiCallbackTranslator } from './callbacks';

function webhook(body: Record<string, unknown>, verification: CallbackReceivedEvent['data']['verification'] = { scheme: 'callback-token' }): CallbackReceivedEvent {
  const text = JSON.stringify(body);
  return createEvent('callback.received', {
    provider: 'findigi',
    source: 'callback',
    occurredAt: '2025-03-03T09:00:05.000Z',
    observedAt: '2025-03-03T09:00:05.100Z',
    correlationId: 'evt_0123456789abcdef01234567',
    data: {
      callbackId: 'cb_findigi_1',
      sourceName: 'xendit',
      idempotencyKey: 'evt_0123456789abcdef01234567',
      receivedAt: '2025-03-03T09:00:05.100Z',
      contentType: 'application/json',
      headers: { 'content-type': 'application/json' },
      rawBodyBase64: Buffer.from(text, 'utf8').toString('base64'),
      parsedBody: JSON.parse(text) as CallbackReceivedEvent['data']['parsedBody'],
      verification,
    },
  });
}

const transfer = { id: 'trf-1', status: 'completed', updated_at: '2025-03-03T09:00:05.000Z', failure_reason: null };
const context = { log: silentLogger };

describe('FinDIGI webhook translation', () => {
  const translator = findigiCallbackTranslator();

  it.each(['wallet_transfer.completed', 'bank_transfer.completed', 'payout.completed'])('turns %s into a payment update versioned by updated_at', async (event) => {
    const translation = await translator.translate(webhook({ id: 'evt_1', event, business_id: 'client-1', is_test: true, data: transfer }), context);
    expect(translation).toEqual({
      events: [],
      paymentUpdates: [
        {
          providerPaymentId: 'trf-1',
          observation: { rawStatus: { scheme: 'findigi.transfer', code: 'completed' }, providerStatusVersion: '2025-03-03T09:00:05.000Z', occurredAt: '2025-03-03T09:00:05.000Z' },
        },
      ],
    });
  });

  it('carries the failure reason of a failed transfer', async () => {
    const translation = await translator.translate(
      webhook({ id: 'evt_2', event: 'bank_transfer.failed', data: { ...transfer, status: 'failed', failure_reason: 'The beneficiary bank rejected the account number.' } }),
      context,
    );
    expect(translation.paymentUpdates?.[0]?.observation).toMatchObject({ rawStatus: { code: 'failed' }, reason: 'The beneficiary bank rejected the account number.' });
  });

  it('accepts webhooks verified as Standard Webhooks too', async () => {
    const translation = await translator.translate(webhook({ id: 'evt_3', event: 'payout.processing', data: { ...transfer, status: 'processing' } }, { scheme: 'standard-webhooks', keyId: 'whsec-1' }), context);
    expect(translation.paymentUpdates?.[0]?.providerPaymentId).toBe('trf-1');
  });

  it.each([
    ['an event that is not a transfer status', { id: 'evt_4', event: 'card.created', data: transfer }],
    ['a transfer without updated_at', { id: 'evt_5', event: 'payout.completed', data: { id: 'trf-1', status: 'completed' } }],
    ['no data', { id: 'evt_6', event: 'wallet_transfer.completed' }],
  ])('dead-letters %s', async (_name, body) => {
    await expect(translator.translate(webhook(body), context)).rejects.toBeInstanceOf(UntranslatableCallbackError);
  });

  it('dead-letters a callback verified another way', async () => {
    await expect(translator.translate(webhook({ id: 'evt_7', event: 'payout.completed', data: transfer }, { scheme: 'indodax-withdraw-request' }), context)).rejects.toBeInstanceOf(
      UntranslatableCallbackError,
    );
  });
});
