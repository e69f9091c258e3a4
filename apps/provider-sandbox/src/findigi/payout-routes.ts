import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseFields, stringField } from '../http/body';
import { positiveAmount } from './amounts';
import type { FindigiDeps } from './deps';
import { findigiError, REQUIRED_INPUT_MESSAGE } from './errors';
import { readBeneficiary } from './fiat-routes';
import type { Beneficiary, FiatWallet, FindigiClient, SavedBank } from './model';
import { renderSavedBank, renderTransfer } from './render';
import { createInWorkspace, resolveClient } from './request-context';
import { insufficientFunds, registerTransferLookup, sourceWallet } from './transfer-routes';
import { BANK_CORRIDORS } from './transfers';

/** Saved bank accounts (Bank Register) and single payouts to a bank account. */
export function registerPayoutRoutes(app: FastifyInstance, deps: FindigiDeps): void {
  const { state, ctx } = deps;

  app.get('/api/settings/banks', (request, reply) => {
    const workspace = resolveClient(request, reply, state);
    if (!workspace) return reply;
    const banks = [...state.savedBanks.values()].filter((bank) => bank.clientId === workspace.client.id);
    return reply.send({ ok: true, banks: banks.map(renderSavedBank) });
  });

  app.post('/api/settings/banks', (request, reply) => {
    const body = parseFields(request);
    if (!body.ok) return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} ${body.error}.`);
    const workspace = resolveClient(request, reply, state, body.fields.client_id);
    if (!workspace) return reply;
    const beneficiary = readBeneficiary(body.fields);
    if (typeof beneficiary === 'string') {
      return findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} bank_code, account_number (6 to 20 digits) and account_name are required.`);
    }
    if (!Object.values(BANK_CORRIDORS).some((banks) => banks.includes(beneficiary.bankCode))) {
      return findigiError(reply, 'UNSUPPORTED_CORRIDOR', `Bank ${beneficiary.bankCode} is not supported.`);
    }
    const bank: SavedBank = { id: state.newId(), clientId: workspace.client.id, ...beneficiary, createdAt: ctx.clock.now() };
    state.savedBanks.set(bank.id, bank);
    return reply.code(201).send({ ok: true, bank: renderSavedBank(bank) });
  });

  app.post('/api/fiat/payout', (request, reply) => {
    return createInWorkspace(request, reply, state, deps.idempotency, 'payout', ({ fields, workspace, user }) => {
      const source = sourceWallet(deps, workspace.client, fields.source_wallet_id, reply);
      if (!source) return reply;
      const amount = positiveAmount(fields.amount, source.asset);
      if (typeof amount === 'string') return findigiError(reply, 'VALIDATION_ERROR', amount);
      const destination = payoutDestination(deps, workspace.client, source, fields, reply);
      if (!destination) return reply;
      if (state.fiat.available(source.id) < amount) return insufficientFunds(deps, source, reply);
      const payout = deps.transfers.createPayout({
        client: workspace.client,
        userId: user.id,
        source,
        amount,
        beneficiary: destination.beneficiary,
        ...(destination.beneficiaryId === undefined ? {} : { beneficiaryId: destination.beneficiaryId }),
        description: stringField(fields.description) ?? '',
      });
      return { status: 201, body: { ok: true, payout: renderTransfer(payout) } };
    });
  });

  // Not in FinDIGI's document (which lists only the POST): the sandbox's way to follow one payout.
  registerTransferLookup(app, deps, '/api/fiat/payout', 'payout', 'Payout', 'payout');
}

/** A saved bank account of the workspace, reachable from the wallet's currency, or answers 404/422. */
export function savedBankFor(deps: FindigiDeps, client: FindigiClient, source: FiatWallet, beneficiaryId: string, reply: FastifyReply): SavedBank | undefined {
  const bank = deps.state.savedBanks.get(beneficiaryId);
  if (!bank || bank.clientId !== client.id) {
    findigiError(reply, 'NOT_FOUND', `Beneficiary ${beneficiaryId} was not found in this workspace.`);
    return undefined;
  }
  return corridorAllows(source, bank, reply) ? bank : undefined;
}

function payoutDestination(
  deps: FindigiDeps,
  client: FindigiClient,
  source: FiatWallet,
  fields: Record<string, unknown>,
  reply: FastifyReply,
): { beneficiary: Beneficiary; beneficiaryId?: string } | undefined {
  const beneficiaryId = stringField(fields.beneficiary_id);
  if (beneficiaryId !== undefined) {
    const bank = savedBankFor(deps, client, source, beneficiaryId, reply);
    return bank ? { beneficiary: bank, beneficiaryId: bank.id } : undefined;
  }
  const beneficiary = readBeneficiary(fields.beneficiary);
  if (typeof beneficiary === 'string') {
    findigiError(reply, 'VALIDATION_ERROR', `${REQUIRED_INPUT_MESSAGE} beneficiary_id or ${beneficiary}`);
    return undefined;
  }
  return corridorAllows(source, beneficiary, reply) ? { beneficiary } : undefined;
}

function corridorAllows(source: FiatWallet, beneficiary: Beneficiary, reply: FastifyReply): boolean {
  const banks = BANK_CORRIDORS[source.asset.code] ?? [];
  if (banks.includes(beneficiary.bankCode)) return true;
  findigiError(
    reply,
    'UNSUPPORTED_CORRIDOR',
    banks.length === 0 ? `Payouts are not available from ${source.asset.code} wallets.` : `Bank ${beneficiary.bankCode} is not reachable from ${source.asset.code} wallets; use one of ${banks.join(', ')}.`,
  );
  return false;
}
