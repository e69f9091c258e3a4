import { createHash } from 'node:crypto';
import { ConnectorApiError, IDEMPOTENCY_KEY_PATTERN, UpstreamError, type PaymentsService } from '@finmesh/connector-kit';
import type { Pool } from 'pg';
import { ContractError, moneyFromDecimal, moneyToDecimal } from '@finmesh/schemas';
import { z } from 'zod';
import type { BatchAnswer, FindigiClient, FindigiTransfer } from './client';
import { paymentObservation, type FindigiAssets } from './normalize';

const id = z.string().regex(/^[A-Za-z0-9_:-]{1,128}$/, { message: 'must be a FinDIGI id' });

/** `POST /v1/batch-transfers`: bulk payouts from one wallet to saved bank accounts. */
export function batchRequestSchema(assets: FindigiAssets) {
  return z
    .strictObject({
      sourceWalletId: id,
      currency: z.string().regex(/^[A-Z0-9]{2,12}$/, { message: 'must be a currency code, e.g. IDR' }),
      executionMode: z.enum(['immediate', 'scheduled']).default('immediate'),
      scheduledAt: z.iso.datetime({ offset: true }).optional(),
      items: z
        .array(z.strictObject({ beneficiaryId: id, amount: z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string' }) }))
        .min(1)
        .max(500),
      description: z.string().min(1).max(255).optional(),
    })
    .superRefine((request, context) => {
      if ((request.executionMode === 'scheduled') !== (request.scheduledAt !== undefined)) {
        context.addIssue({ code: 'custom', path: ['scheduledAt'], message: 'scheduledAt is required for a scheduled batch, and only for one' });
      }
      request.items.forEach((item, index) => {
        try {
          if (BigInt(moneyFromDecimal(item.amount, assets.assetOf(request.currency)).amount) <= 0n) {
            context.addIssue({ code: 'custom', path: ['items', index, 'amount'], message: 'must be greater than zero' });
          }
        } catch (error: unknown) {
          if (!(error instanceof ContractError)) throw error;
          context.addIssue({ code: 'custom', path: ['items', index, 'amount'], message: error.message });
        }
      });
    });
}

export interface BatchItemView {
  itemId: string;
  /** The finmesh payment following this item (`GET /v1/payments/:id`), when there is one. */
  paymentId: string | null;
  beneficiaryId: string | null;
  amount: { amount: string; asset: string };
  rawStatus: { scheme: 'findigi.transfer'; code: string };
  failureReason: string | null;
}

export interface BatchView {
  id: string;
  sourceWalletId: string;
  currency: string;
  executionMode: 'immediate' | 'scheduled';
  scheduledAt: string | null;
  status: string;
  itemCount: number;
  totalAmount: { amount: string; asset: string };
  approvalId: string | null;
  updatedAt: string;
  items: BatchItemView[];
}

/**
 * Batch transfers. FinDIGI creates the batch (with a key derived from the caller's, so a retry
 * creates nothing new); each item is then a finmesh payment of its own (`batch_transfer_item`,
 * keyed by batch and item), with its own hold in the ledger, followed by polls and `payout.*`
 * webhooks like any payout. Cancelling releases what has not run: FinDIGI's answer is observed at
 * once, so the cancelled items' holds are released without waiting for the next poll.
 */
export class FindigiBatches {
  private readonly requestSchema: ReturnType<typeof batchRequestSchema>;

  constructor(
    private readonly client: FindigiClient,
    private readonly assets: FindigiAssets,
    private readonly payments: PaymentsService,
    /** The kit's database, to find the payment that follows an item. */
    private readonly pool: Pool,
  ) {
    this.requestSchema = batchRequestSchema(assets);
  }

  async create(idempotencyKey: string | undefined, body: unknown, correlationId: string): Promise<BatchView> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new ConnectorApiError('idempotency_key_required', 'an Idempotency-Key header of 1-255 printable ASCII characters is required');
    }
    const parsed = this.requestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new ConnectorApiError(
        'invalid_request',
        'the batch transfer request is not valid',
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
      );
    }
    const request = parsed.data;
    const asset = this.assets.assetOf(request.currency);
    const keyDigest = createHash('sha256').update(`findigi-batch\n${idempotencyKey}`).digest('hex').slice(0, 40);
    const answer = await this.upstream(() =>
      this.client.createBatch(
        {
          source_wallet_id: request.sourceWalletId,
          execution_mode: request.executionMode,
          ...(request.scheduledAt === undefined ? {} : { scheduled_at: request.scheduledAt }),
          // Canonical decimals, so a retry sends the same bytes and FinDIGI replays the batch.
          items: request.items.map((item) => ({ beneficiary_id: item.beneficiaryId, amount: moneyToDecimal(moneyFromDecimal(item.amount, asset)) })),
          ...(request.description === undefined ? {} : { description: request.description }),
        },
        `finmesh-${keyDigest}`,
      ),
    );
    const paymentIds = new Map<string, string>();
    for (const item of answer.items) {
      const result = await this.payments.initiate({
        idempotencyKey: `findigi-batch-item-${keyDigest}-${item.id}`,
        body: { type: 'batch_transfer_item', batchId: answer.batch.id, itemId: item.id },
        correlationId,
      });
      paymentIds.set(item.id, result.payment.id);
    }
    return this.view(answer, paymentIds);
  }

  async get(batchId: string): Promise<BatchView> {
    return this.view(await this.upstream(() => this.client.batch(batchId)), new Map());
  }

  async cancel(batchId: string): Promise<BatchView> {
    const answer = await this.upstream(() => this.client.cancelBatch(batchId));
    await this.observeItems(answer.items);
    return this.view(answer, new Map());
  }

  async executeNow(batchId: string): Promise<BatchView> {
    const answer = await this.upstream(() => this.client.executeBatchNow(batchId));
    await this.observeItems(answer.items);
    return this.view(answer, new Map());
  }

  /** What FinDIGI just answered about the items is a status like any poll's: published once. */
  private async observeItems(items: readonly FindigiTransfer[]): Promise<void> {
    for (const item of items) await this.payments.observeByProviderId(item.id, paymentObservation(item), 'poll');
  }

  private async view(answer: BatchAnswer, paymentIds: ReadonlyMap<string, string>): Promise<BatchView> {
    const asset = this.assets.assetOf(answer.batch.currency);
    const items: BatchItemView[] = [];
    for (const item of answer.items) {
      items.push({
        itemId: item.id,
        paymentId: paymentIds.get(item.id) ?? (await this.paymentIdOf(item.id)),
        beneficiaryId: item.beneficiary_id ?? null,
        amount: moneyFromDecimal(item.amount, asset),
        rawStatus: { scheme: 'findigi.transfer', code: item.status },
        failureReason: item.failure_reason,
      });
    }
    return {
      id: answer.batch.id,
      sourceWalletId: answer.batch.source_wallet_id,
      currency: answer.batch.currency,
      executionMode: answer.batch.execution_mode,
      scheduledAt: answer.batch.scheduled_at,
      status: answer.batch.status,
      itemCount: answer.batch.item_count,
      totalAmount: moneyFromDecimal(answer.batch.total_amount, asset),
      approvalId: answer.batch.approval_id,
      updatedAt: answer.batch.updated_at,
      items,
    };
  }

  private async paymentIdOf(providerPaymentId: string): Promise<string | null> {
    const found = await this.pool.query<{ id: string }>(`SELECT id FROM connector_payments WHERE connector = 'findigi' AND provider_payment_id = $1`, [providerPaymentId]);
    return found.rows[0]?.id ?? null;
  }

  private async upstream<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      if (error instanceof UpstreamError && error.providerCode === 'IDEMPOTENCY_KEY_REUSED') {
        // The same answer POST /v1/payments gives for a key reused with another body.
        throw new ConnectorApiError('idempotency_conflict', 'this Idempotency-Key was used with a different batch transfer');
      }
      if (error instanceof UpstreamError) throw ConnectorApiError.fromUpstream(error);
      throw error;
    }
  }
}
