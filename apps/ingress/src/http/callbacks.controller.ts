import { randomUUID } from 'node:crypto';
import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { CallbackReceivedEvent } from '@finmesh/schemas';
import { correlationIdOf } from '@finmesh/service-runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callbackEventOf, storableHeaders } from '../callbacks/callback-event';
import { CallbackIntake, type AcceptOutcome } from '../callbacks/callback-intake';
import type { CallbackRecord } from '../callbacks/callback-store';
import { INDEXO_SOURCE, INDODAX_WITHDRAW_SOURCE, XENDIT_SOURCE, type IngressConfig } from '../config';
import { INGRESS_CONFIG } from '../ingress-tokens';
import { IngressMetrics, type CallbackOutcome } from '../ingress-metrics';
import type { IncomingCallback, VerifiedCallback } from '../sources/incoming-callback';
import { IngressSources, UNKNOWN_SOURCE } from '../sources/ingress-sources';
import { mediaTypeOf } from './bodies';
import { IngressError, IngressErrorCode } from './ingress-error';
import { RateLimiter } from './rate-limiter';
import { sendError } from './replies';

type Verify = (incoming: IncomingCallback) => VerifiedCallback | Promise<VerifiedCallback>;

interface Route {
  source: string;
  rateLimitPerSecond: number;
  /** Undefined when the source is not configured: 404. */
  verify: Verify | undefined;
  /** Epoch ms by which the answer must be out (Indodax waits 5 s at most). */
  deadline?: number;
  answer: (reply: FastifyReply, outcome: AcceptOutcome, record: CallbackRecord) => void;
}

/**
 * The public door. Every route runs the same steps: rate limit, content type, the source's own
 * verification over the raw bytes, then the durability protocol (CallbackIntake) — and answers
 * 2xx only when the callback is stored and in Kafka.
 */
@Controller()
export class CallbacksController {
  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(IngressSources) private readonly sources: IngressSources,
    @Inject(CallbackIntake) private readonly intake: CallbackIntake,
    @Inject(IngressMetrics) private readonly metrics: IngressMetrics,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  @Post('webhooks/xendit')
  async xendit(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const xendit = this.sources.xendit;
    await this.handle(request, reply, {
      source: xendit ? XENDIT_SOURCE : UNKNOWN_SOURCE,
      rateLimitPerSecond: this.config.INGRESS_RATE_LIMIT_PER_SECOND,
      verify: xendit && ((incoming) => xendit.verify(incoming)),
      answer: jsonAnswer,
    });
  }

  @Post('webhooks/:source')
  async standardWebhook(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('source') sourceName: string,
  ): Promise<void> {
    const source = this.sources.standardWebhooks.get(sourceName);
    await this.handle(request, reply, {
      source: source ? source.name : UNKNOWN_SOURCE,
      rateLimitPerSecond: source?.rateLimitPerSecond ?? this.config.INGRESS_RATE_LIMIT_PER_SECOND,
      verify: source && ((incoming) => source.verify(incoming)),
      answer: jsonAnswer,
    });
  }

  @Post('callbacks/indodax/withdrawals')
  async indodaxWithdrawal(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const deadline = Date.now() + this.config.INGRESS_INDODAX_DEADLINE_MS;
    await this.handle(request, reply, {
      source: INDODAX_WITHDRAW_SOURCE,
      rateLimitPerSecond: this.config.INGRESS_RATE_LIMIT_PER_SECOND,
      verify: (incoming) => this.sources.indodax.verify(incoming, deadline),
      deadline,
      // Indodax goes ahead with the withdrawal on exactly this body, and on nothing else.
      answer: (response) => void response.code(200).type('text/plain; charset=utf-8').send('ok'),
    });
  }

  @Post('callbacks/indexo/notifications')
  async indexoNotification(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.indexo(request, reply, undefined);
  }

  @Post('callbacks/indexo/notifications/:token')
  async indexoNotificationWithToken(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('token') token: string,
  ): Promise<void> {
    await this.indexo(request, reply, token);
  }

  private async indexo(request: FastifyRequest, reply: FastifyReply, token: string | undefined): Promise<void> {
    const indexo = this.sources.indexo;
    await this.handle(request, reply, {
      source: indexo ? INDEXO_SOURCE : UNKNOWN_SOURCE,
      rateLimitPerSecond: this.config.INGRESS_RATE_LIMIT_PER_SECOND,
      verify: indexo && ((incoming) => indexo.verify(incoming, token)),
      answer: jsonAnswer,
    });
  }

  private async handle(request: FastifyRequest, reply: FastifyReply, route: Route): Promise<void> {
    const started = performance.now();
    let outcome: CallbackOutcome = 'error';
    try {
      const accepted = await this.accept(request, route);
      outcome = accepted.outcome;
      if (accepted.outcome === 'accepted') this.metrics.accepted.inc({ source: route.source });
      else this.metrics.duplicates.inc({ source: route.source });
      route.answer(reply, accepted.outcome, accepted.record);
    } catch (error: unknown) {
      if (!(error instanceof IngressError)) throw error;
      if (error.code === IngressErrorCode.Unavailable) {
        outcome = 'unavailable';
        this.metrics.unavailable.inc({ source: route.source, dependency: error.reason });
      } else {
        outcome = 'rejected';
        this.metrics.rejected.inc({ source: route.source, reason: error.reason });
      }
      sendError(reply, error, request.id);
    } finally {
      this.metrics.duration.observe({ source: route.source, outcome }, (performance.now() - started) / 1_000);
    }
  }

  private async accept(request: FastifyRequest, route: Route): Promise<{ outcome: AcceptOutcome; record: CallbackRecord }> {
    if (route.verify === undefined) {
      throw new IngressError(IngressErrorCode.NotFound, 'no callback source is configured at this path', { reason: 'unknown_source' });
    }
    const retryAfterSeconds = this.limiter.take(route.source, route.rateLimitPerSecond);
    if (retryAfterSeconds > 0) {
      throw new IngressError(IngressErrorCode.RateLimited, 'too many callbacks from this source; retry later', { retryAfterSeconds });
    }
    const contentType = request.headers['content-type'];
    if (mediaTypeOf(contentType) === undefined) {
      throw new IngressError(IngressErrorCode.UnsupportedMediaType, 'send application/json, application/x-www-form-urlencoded or multipart/form-data');
    }
    // The event contract carries the content type as an identifier: at most 256 characters, no control characters.
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (contentType === undefined || contentType.length > 256 || /[\u0000-\u001f\u007f]/.test(contentType)) {
      throw new IngressError(IngressErrorCode.MalformedRequest, 'the content-type header is too long or has control characters', {
        reason: 'malformed_header',
      });
    }
    const incoming: IncomingCallback = {
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      contentType,
      receivedAt: new Date(),
      correlationId: correlationIdOf(request.raw),
    };
    const verified = await route.verify(incoming);
    const { record, event } = recordOf(verified, incoming);
    const outcome = await this.intake.accept(record, route.deadline, event);
    return { outcome, record };
  }
}

/** The stored form of a verified callback, and its event. */
function recordOf(verified: VerifiedCallback, incoming: IncomingCallback): { record: CallbackRecord; event: CallbackReceivedEvent } {
  const record: CallbackRecord = {
    id: randomUUID(),
    source: verified.source,
    idempotencyKey: verified.idempotencyKey,
    provider: verified.provider,
    eventId: '',
    correlationId: incoming.correlationId,
    receivedAt: incoming.receivedAt,
    occurredAt: verified.occurredAt,
    contentType: incoming.contentType ?? '',
    headers: storableHeaders(incoming.headers),
    body: incoming.body,
    verification: verified.verification,
  };
  const event = callbackEventOf(record);
  record.eventId = event.id;
  return { record, event };
}

function jsonAnswer(reply: FastifyReply, outcome: AcceptOutcome, record: CallbackRecord): void {
  const body = outcome === 'accepted' ? { status: outcome, callbackId: record.id } : { status: outcome };
  void reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(body));
}
