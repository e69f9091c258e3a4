import { formatMinorTrimmed } from '../core/money';
import { unixSeconds } from '../core/time';
import { jsonNumber } from '../http/json';
import type { FinxAccount, FinxState } from './state';

/** The documented account object; `balance` is a JSON number written from its exact decimal. */
export function renderFinxAccount(state: FinxState, account: FinxAccount): Record<string, unknown> {
  const assetValue = state.asset(account.id);
  return {
    id: account.id,
    type: account.type,
    balance: jsonNumber(formatMinorTrimmed(state.balance(account.id), assetValue.precision)),
    currency: assetValue.code,
    owner_id: account.ownerId,
    created_at: unixSeconds(account.createdAt),
    updated_at: unixSeconds(account.updatedAt),
  };
}
