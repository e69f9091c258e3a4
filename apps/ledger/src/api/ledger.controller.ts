import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PAYMENT_STATUSES, PROVIDERS } from '@finmesh/schemas';
import { z } from 'zod';
import { LedgerCorrections, type ReversalResult } from '../ledger/corrections';
import { LedgerApiError, LedgerApiErrorFilter } from './api-error';
import {
  LedgerQueries,
  type AccountView,
  type BalanceView,
  type DiscrepancyView,
  type JournalView,
  type PaymentView,
  type StatusHistoryView,
} from './ledger-queries';
import { PageQuerySchema, parseQuery, type Page } from './pagination';

const ProviderFilter = z.enum(PROVIDERS).optional();
const IdParam = z.string().regex(/^\d{1,19}$/, 'must be a journal id (digits)');

const AccountsQuery = PageQuerySchema.extend({
  provider: ProviderFilter,
  asset: z.string().max(40).optional(),
  addressPrefix: z.string().max(300).optional(),
  kind: z.enum(['provider_account', 'holds', 'in_flight', 'external', 'fees', 'opening_equity', 'adjustments']).optional(),
});
const BalancesQuery = z.object({
  provider: ProviderFilter,
  account: z.string().max(300).optional(),
  asset: z.string().max(40).optional(),
  asOf: z.iso.datetime({ offset: true }).optional(),
});
const JournalsQuery = PageQuerySchema.extend({
  accountId: z.string().regex(/^\d{1,19}$/).optional(),
  kind: z.enum(['transaction', 'opening', 'opening_adjustment', 'hold', 'hold_release', 'reversal', 'adjustment']).optional(),
  paymentKey: z.string().max(300).optional(),
});
const PaymentsQuery = PageQuerySchema.extend({ provider: ProviderFilter, status: z.enum(PAYMENT_STATUSES).optional() });
const DiscrepanciesQuery = PageQuerySchema.extend({ provider: ProviderFilter, status: z.enum(['open', 'cleared']).optional() });
const ReversalBody = z.strictObject({ reason: z.string().trim().min(3).max(1000) });

/** The ledger's query API (and its one write: a reversing journal). */
@ApiTags('ledger')
@UseFilters(LedgerApiErrorFilter)
@Controller('v1')
export class LedgerController {
  constructor(
    @Inject(LedgerQueries) private readonly queries: LedgerQueries,
    @Inject(LedgerCorrections) private readonly corrections: LedgerCorrections,
  ) {}

  @Get('accounts')
  @ApiOperation({ summary: 'Ledger accounts, filtered by provider, asset, address prefix or kind; cursor-paginated.' })
  @ApiQuery({ name: 'provider', required: false, enum: PROVIDERS })
  @ApiQuery({ name: 'asset', required: false, example: 'EUR/2' })
  @ApiQuery({ name: 'addressPrefix', required: false, example: 'providers:indx:accounts:' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, example: 100 })
  accounts(@Query() query: unknown): Promise<Page<AccountView>> {
    return this.queries.accounts(parseQuery(AccountsQuery, query));
  }

  @Get('balances')
  @ApiOperation({ summary: 'Booked, held and available balance of every provider account, now or as of a point in time.' })
  @ApiQuery({ name: 'provider', required: false, enum: PROVIDERS })
  @ApiQuery({ name: 'account', required: false, description: 'provider account key, e.g. indx:acc_123' })
  @ApiQuery({ name: 'asOf', required: false, example: '2026-01-31T23:59:59Z' })
  async balances(@Query() query: unknown): Promise<{ data: BalanceView[] }> {
    const filter = parseQuery(BalancesQuery, query);
    return {
      data: await this.queries.balances({
        ...(filter.provider ? { provider: filter.provider } : {}),
        ...(filter.account ? { accountKey: filter.account } : {}),
        ...(filter.asset ? { asset: filter.asset } : {}),
        ...(filter.asOf ? { asOf: new Date(filter.asOf) } : {}),
      }),
    };
  }

  @Get('journals')
  @ApiOperation({ summary: 'Journals with their postings, oldest first; filter by account, kind or payment.' })
  @ApiQuery({ name: 'accountId', required: false })
  @ApiQuery({ name: 'kind', required: false })
  @ApiQuery({ name: 'paymentKey', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  journals(@Query() query: unknown): Promise<Page<JournalView>> {
    return this.queries.journals(parseQuery(JournalsQuery, query));
  }

  @Get('journals/:id')
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ description: 'The journal and its postings.' })
  journal(@Param('id') id: string): Promise<JournalView> {
    return this.queries.journal(parseQuery(IdParam, id, 'journal id'));
  }

  @Post('journals/:id/reversal')
  @HttpCode(201)
  @ApiOperation({ summary: 'Reverse a journal: a new journal with every posting negated (journals are never edited).' })
  @ApiParam({ name: 'id' })
  reverse(@Param('id') id: string, @Body() body: unknown): Promise<ReversalResult> {
    const { reason } = parseQuery(ReversalBody, body, 'request body');
    return this.corrections.reverse(parseQuery(IdParam, id, 'journal id'), reason);
  }

  @Get('payments')
  @ApiOperation({ summary: 'Payments the ledger knows, with their normalized and raw status and hold state.' })
  @ApiQuery({ name: 'provider', required: false, enum: PROVIDERS })
  @ApiQuery({ name: 'status', required: false, enum: PAYMENT_STATUSES })
  payments(@Query() query: unknown): Promise<Page<PaymentView>> {
    return this.queries.payments(parseQuery(PaymentsQuery, query));
  }

  @Get('payments/:key')
  @ApiOperation({ summary: 'One payment with its full status history (applied, duplicate, stale and invalid reports).' })
  @ApiParam({ name: 'key', example: 'indexo:2a32ab8f-dbdb-4056-a2e7-6c361718c861' })
  payment(@Param('key') key: string): Promise<PaymentView & { history: StatusHistoryView[] }> {
    if (key.length > 300) throw new LedgerApiError('invalid_request', 'payment key is too long');
    return this.queries.payment(key);
  }

  @Get('discrepancies')
  @ApiOperation({ summary: 'Reconciliation findings: provider balance ≠ ledger balance (open) or agreeing again (cleared).' })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'cleared'] })
  @ApiQuery({ name: 'provider', required: false, enum: PROVIDERS })
  discrepancies(@Query() query: unknown): Promise<Page<DiscrepancyView>> {
    return this.queries.discrepancies(parseQuery(DiscrepanciesQuery, query));
  }
}
