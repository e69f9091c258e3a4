import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ConnectorApiError, type ConnectorRuntime } from '@finmesh/connector-kit';
import { createConsentSchema, type ConsentService, type ConsentView } from './consents';
import type { PaymentInitiations } from './payments';

export const INDEXO_CONSENTS = Symbol('indexo-consents');
export const INDEXO_INITIATIONS = Symbol('indexo-payment-initiations');
export const INDEXO_RUNTIME = Symbol('indexo-runtime');

/** Consents: create one (the answer carries the challenge for the PSU), follow it, delete it. */
@Controller('v1/consents')
export class ConsentsController {
  constructor(@Inject(INDEXO_CONSENTS) private readonly consents: ConsentService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<ConsentView> {
    const parsed = createConsentSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new ConnectorApiError(
        'invalid_request',
        'the consent request is not valid',
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
      );
    }
    return this.consents.create(parsed.data);
  }

  @Get()
  async list(): Promise<{ data: ConsentView[] }> {
    return { data: await this.consents.list() };
  }

  @Get(':consentId')
  async get(@Param('consentId') consentId: string): Promise<ConsentView> {
    const consent = await this.consents.get(consentId);
    if (!consent) throw new ConnectorApiError('not_found', `no consent ${consentId}`);
    return consent;
  }

  @Delete(':consentId')
  delete(@Param('consentId') consentId: string): Promise<ConsentView> {
    return this.consents.delete(consentId);
  }
}

/** The SCA side of a payment: the challenge to show the PSU. */
@Controller('v1/payments')
export class PaymentAuthorisationController {
  constructor(
    @Inject(INDEXO_INITIATIONS) private readonly initiations: PaymentInitiations,
    @Inject(INDEXO_RUNTIME) private readonly runtime: ConnectorRuntime,
  ) {}

  @Get(':id/sca')
  async sca(@Param('id') id: string): Promise<{ paymentId: string; providerPaymentId: string; challenge: string }> {
    const payment = await this.runtime.payments.get(id);
    const initiation = payment?.providerPaymentId === undefined ? undefined : await this.initiations.get(payment.providerPaymentId);
    if (!payment?.providerPaymentId || !initiation) throw new ConnectorApiError('not_found', `no INDEXO payment ${id}`);
    return { paymentId: payment.id, providerPaymentId: payment.providerPaymentId, challenge: initiation.challenge };
  }
}
