import { verifyCallbackToken, verifyStandardWebhook } from '@finmesh/signing';
import type { Sandbox } from '../sandbox';
import { CallbackReceiver } from '../testing/callback-receiver';
import { loginAs, walletsOf, type FindigiSession } from '../testing/findigi-session';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('FinDIGI webhooks (Xendit-style x-callback-token + webhook-id), through a real listener', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;
  let alpha: FindigiSession;

  beforeEach(async () => {
    receiver = await CallbackReceiver.start();
    sandbox = await createTestSandbox({
      liveActivity: false,
      callbackRetryScheduleMs: [30_000, 60_000],
      findigi: { webhookUrl: receiver.url, webhookSigningSecrets: [SIGNING_SECRET] },
    });
    alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function startTransfer(): Promise<string> {
    const [source] = await walletsOf(sandbox, alpha);
    const destination = json<{ wallet: { id: string } }>(
      await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'IDR' } }),
    ).wallet;
    const created = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/wallets/transfers',
      headers: alpha.headers,
      payload: { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '1000' },
    });
    return json<{ transfer: { id: string } }>(created).transfer.id;
  }

  async function addFault(fault: Record<string, unknown>): Promise<void> {
    const response = await sandbox.app.inject({ method: 'POST', url: '/_admin/faults', headers: ADMIN_HEADERS, payload: { provider: 'findigi', ...fault } });
    expect(response.statusCode).toBe(201);
  }

  it('sends each status change with the callback token, a webhook-id and a Standard Webhooks signature', async () => {
    const transferId = await startTransfer();
    await advanceClock(sandbox, 5_000);
    expect(receiver.received).toHaveLength(2);
    const events = receiver.received.map((callback) => JSON.parse(callback.body) as { id: string; event: string; data: { id: string; status: string } });
    expect(events.map((event) => [event.event, event.data.id, event.data.status])).toEqual([
      ['wallet_transfer.processing', transferId, 'processing'],
      ['wallet_transfer.completed', transferId, 'completed'],
    ]);
    for (const [index, callback] of receiver.received.entries()) {
      expect(verifyCallbackToken(callback.headers, ['findigi-sandbox-callback-token']).ok).toBe(true);
      expect(callback.headers['webhook-id']).toBe(events[index]?.id);
      expect(verifyStandardWebhook({ headers: callback.headers, body: callback.body }, { secrets: [SIGNING_SECRET] }).ok).toBe(true);
    }
  });

  it('delivers a duplicate with the same webhook-id when the duplicate fault is on', async () => {
    await addFault({ kind: 'callback_duplicate', operation: 'wallet_transfer.processing' });
    await startTransfer();
    await sandbox.context.callbacks.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.headers['webhook-id']).toBe(receiver.received[1]?.headers['webhook-id']);
  });

  it('delivers out of order when the reorder fault is on', async () => {
    await addFault({ kind: 'callback_reorder', holdCount: 2 });
    await startTransfer();
    await advanceClock(sandbox, 5_000);
    await sandbox.context.callbacks.idle();
    const order = receiver.received.map((callback) => (JSON.parse(callback.body) as { event: string }).event);
    expect(order).toEqual(['wallet_transfer.completed', 'wallet_transfer.processing']);
  });

  it('retries on the sandbox clock while the endpoint is down, then delivers', async () => {
    await addFault({ kind: 'callback_down', operation: 'wallet_transfer.processing', count: 2 });
    await startTransfer();
    await sandbox.context.callbacks.idle();
    const processingDeliveries = (): number => receiver.received.filter((callback) => callback.body.includes('"wallet_transfer.processing"')).length;
    expect(processingDeliveries()).toBe(0);
    await advanceClock(sandbox, 30_000);
    expect(processingDeliveries()).toBe(0);
    await advanceClock(sandbox, 60_000);
    expect(processingDeliveries()).toBe(1);
    const log = json<{ callbacks: Array<{ eventType: string; state: string; attempts: Array<{ error?: string; status?: number }> }> }>(
      await sandbox.app.inject({ method: 'GET', url: '/_admin/callbacks?provider=findigi', headers: ADMIN_HEADERS }),
    );
    expect(log.callbacks.find((callback) => callback.eventType === 'wallet_transfer.processing')).toMatchObject({
      state: 'delivered',
      attempts: [{ error: 'connection refused (fault: callback_down)' }, { error: 'connection refused (fault: callback_down)' }, { status: 200 }],
    });
  });

  it('retries when the receiver answers an error, and gives up after the schedule', async () => {
    receiver.answer = () => ({ status: 500, body: 'boom' });
    await startTransfer();
    await sandbox.context.callbacks.idle();
    await advanceClock(sandbox, 30_000);
    await advanceClock(sandbox, 60_000);
    await advanceClock(sandbox, 600_000);
    // Two events (processing, completed), each tried once and retried twice.
    expect(receiver.received).toHaveLength(6);
    const log = json<{ callbacks: Array<{ state: string; attempts: unknown[] }> }>(await sandbox.app.inject({ method: 'GET', url: '/_admin/callbacks', headers: ADMIN_HEADERS }));
    expect(log.callbacks.map((callback) => [callback.state, callback.attempts.length])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
  });

  it('lets the admin API change the webhook target', async () => {
    const update = await sandbox.app.inject({ method: 'PUT', url: '/_admin/findigi/webhook', headers: ADMIN_HEADERS, payload: { url: null } });
    expect(json(update)).toEqual({ url: null });
    await startTransfer();
    await sandbox.context.callbacks.idle();
    expect(receiver.received).toHaveLength(0);
  });
});
