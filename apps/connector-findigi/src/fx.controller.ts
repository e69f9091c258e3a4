import { Catch, Controller, Get, HttpException, Inject, Query, UseFilters, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConnectorApiError, describeError, UpstreamError, type ApiErrorBody, type ConnectorLogger } from '@finmesh/connector-kit';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { FindigiClient } from './client';
import { fxQuoteQuerySchema, fxQuoteView, fxTickersQuerySchema, fxTickersView, type FxQuoteView, type FxTickersView } from './fx';

export const FINDIGI_CLIENT = Symbol('findigi-client');
export const FINDIGI_API_LOG = Symbol('findigi-api-log');
export const FINDIGI_FX_MIN_FRESH_SECONDS = Symbol('findigi-fx-min-fresh-seconds');

/**
 * The kit's error body for the FinDIGI controllers too (the kit's filter is bound to its own
 * controllers and not exported): provider failures as the taxonomy says, anything else internal.
 */
@Catch()
export class FindigiApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(FINDIGI_API_LOG) private readonly log: ConnectorLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = exception instanceof UpstreamError ? ConnectorApiError.fromUpstream(exception) : exception;
    if (error instanceof ConnectorApiError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      void reply.status(error.status).send(error.body());
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body: ApiErrorBody = { error: { code: status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'invalid_request', message: error.message } };
      void reply.status(status).send(body);
      return;
    }
    this.log.error('unexpected error in the FinDIGI API', { error: describeError(error) });
    const body: ApiErrorBody = { error: { code: 'internal', message: 'an internal error occurred' } };
    void reply.status(500).send(body);
  }
}

function parseQuery<Schema extends z.ZodType>(schema: Schema, query: unknown): z.output<Schema> {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new ConnectorApiError(
      'invalid_request',
      'the query is not valid',
      parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

/** FinDIGI's FX reference rates with their freshness, rates as exact decimal strings. */
@Controller('v1/fx')
@UseFilters(FindigiApiExceptionFilter)
export class FxController {
  constructor(
    @Inject(FINDIGI_CLIENT) private readonly client: FindigiClient,
    @Inject(FINDIGI_FX_MIN_FRESH_SECONDS) private readonly defaultMinFreshSeconds: number,
  ) {}

  @Get('tickers')
  async tickers(@Query() query: unknown): Promise<FxTickersView> {
    const parsed = parseQuery(fxTickersQuerySchema, query);
    const minFreshSeconds = parsed.minFreshSeconds ?? this.defaultMinFreshSeconds;
    const tickers = await this.client.fxTickers({
      ...(parsed.pairs === undefined ? {} : { pairs: parsed.pairs }),
      minFreshSeconds,
      ...(parsed.changeWindowHours === undefined ? {} : { changeWindowHours: parsed.changeWindowHours }),
    });
    return fxTickersView(tickers, minFreshSeconds, new Date());
  }

  @Get('quote')
  async quote(@Query() query: unknown): Promise<FxQuoteView> {
    const parsed = parseQuery(fxQuoteQuerySchema, query);
    return fxQuoteView(await this.client.fxQuote({ base: parsed.base, quote: parsed.quote, ...(parsed.ttlSeconds === undefined ? {} : { ttlSeconds: parsed.ttlSeconds }) }));
  }
}
