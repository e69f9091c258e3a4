import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatMinor } from '../core/money';
import { iso, MINUTE } from '../core/time';
import { parseFields, stringField } from '../http/body';
import { positiveAmount } from './amounts';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import type { Beneficiary, FiatWallet, FindigiClient } from './model';
import { renderInstruction, renderTransfer } from './render';
import { createInWorkspace, resolveClient } from './request-context';
import { insufficientFunds, registerTransferLookup, sourceWallet } from './transfer-routes';
import { BANK_CORRIDORS, bankTransferFee } from './transfers';

const QUOTE_VALIDITY_MS = 5 * MINUTE;

interface BankTransferRequest {
  source: FiatWallet;
  amount: bigint;
  fee: bigint;
  beneficiary: Beneficiary;
  description: string;
}

/** Transfers to bank (quote, create, status) and the payout instructions behind them. */
export function registerFiatRoutes(app: FastifyInstance, deps: FindigiDeps): void {
  const { state, ctx } = deps;

  app.post('/api/fiat/transfers-to-bank/quote', (request, reply) => {
    const body = parseFields(request);
    if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
    const workspace = resolveClient(request, reply, state, body.fields.client_id);
    if (!workspace) return reply;
    const parsed = readBankTransfer(deps, workspace.client, body.fields, reply);
    if (!parsed) return reply;
    const precision = parsed.source.asset.precision;
    return reply.send({
      ok: true,
      quote: {
        source_wallet_id: parsed.source.id,
        amount: formatMinor(parsed.amount, precision),
        fee: formatMinor(parsed.fee, precision),
        total: formatMinor(parsed.amount + parsed.fee, precision),
        currency: parsed.source.asset.code,
        bank_code: parsed.beneficiary.bankCode,
        expires_at: iso(ctx.clock.now() + QUOTE_VALIDITY_MS),
      },
    });
  });

  app.post('/api/fiat/transfers-to-bank', (request, reply) => {
    return createInWorkspace(request, reply, state, deps.idempotency, 'bank_transfer', ({ fields, workspace, user }) => {
      const parsed = readBankTransfer(deps, workspace.client, fields, reply);
      if (!parsed) return reply;
      const total = parsed.amount + parsed.fee;
      if (state.fiat.available(parsed.source.id) < total) return insufficientFunds(deps, parsed.source, reply);
      const transfer = deps.transfers.createBankTransfer({ client: workspace.client, userId: user.id, ...parsed });
      return { status: 201, body: { ok: true, transfer: renderTransfer(transfer) } };
    });
  });

  registerTransferLookup(app, deps, '/api/fiat/transfers-to-bank', 'bank_transfer', 'Transfer to bank', 'transfer');

  app.get('/api/fiat/instructions', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const instructions = [...state.instructions.values()].filter((instruction) => instruction.clientId === workspace.client.id);
    return reply.send({ ok: true, instructions: instructions.reverse().map(renderInstruction) });
  });

  app.get<{ Params: { id: string } }>('/api/fiat/instructions/:id', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const instruction = state.instructions.get(request.params.id);
    if (!instruction || instruction.clientId !== workspace.client.id) {
      return findigiError(reply, 'NOT_FOUND', `Instruction ${request.params.id} was not found in this workspace.`);
    }
    return reply.send({ ok: true, instruction: renderInstruction(instruction) });
  });
}

function readBankTransfer(
  deps: FindigiDeps,
  client: FindigiClient,
  fields: Record<string, unknown>,
  reply: FastifyReply,
): BankTransferRequest | undefined {
  const source = sourceWallet(deps, client, fields.source_wallet_id, reply);
  if (!source) return undefined;
  const amount = positiveAmount(fields.amount, source.asset);
  if (typeof amount === 'string') {
    findigiError(reply, 'VALIDATION_ERROR', amount);
    return undefined;
  }
  const beneficiary = readBeneficiary(fields.beneficiary);
  if (typeof beneficiary === 'string') {
    findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${beneficiary}`);
    return undefined;
  }
  const banks = BANK_CORRIDORS[source.asset.code] ?? [];
  if (!banks.includes(beneficiary.bankCode)) {
    findigiError(
      reply,
      'UNSUPPORTED_CORRIDOR',
      banks.length === 0
        ? `Transfers to bank are not available from ${source.asset.code} wallets.`
        : `Bank ${beneficiary.bankCode} is not reachable from ${source.asset.code} wallets; use one of ${banks.join(', ')}.`,
    );
    return undefined;
  }
  return { source, amount, fee: bankTransferFee(source.asset), beneficiary, description: stringField(fields.description) ?? '' };
}

export function readBeneficiary(value: unknown): Beneficiary | string {
  if (typeof value !== 'object' || value === null) return 'beneficiary { bank_code, account_number, account_name } is required.';
  const fields = value as Record<string, unknown>;
  const bankCode = stringField(fields.bank_code);
  const accountNumber = stringField(fields.account_number);
  const accountName = stringField(fields.account_name);
  if (!bankCode || !accountNumber || !accountName) return 'beneficiary.bank_code, account_number and account_name are required.';
  if (!/^\d{6,20}$/.test(accountNumber)) return 'beneficiary.account_number must be 6 to 20 digits.';
  return { bankCode: bankCode.toUpperCase(), accountNumber, accountName };
}
