import { DAY, HOUR, parseIsoDate, startOfDay, unixSeconds } from '../../core/time';
import { CURRENCIES, currency } from '../currencies';
import { TapiError } from '../errors';
import type { Deposit, Withdrawal } from '../model';
import { amountText, idrNumberOrCoinText, secondsText } from '../render';
import type { TapiDeps, TapiHandler } from '../tapi';
import { optional } from './params';

/** Indodax works in WIB (UTC+7): transHistory dates are WIB calendar days. */
export const WIB_OFFSET_MS = 7 * HOUR;
const MAX_RANGE_DAYS = 7;
const MAX_RECORDS = 500;

export function accountMethods({ ctx, state }: TapiDeps): Record<string, TapiHandler> {
  return {
    getInfo: () => {
      const balance: Record<string, unknown> = {};
      const hold: Record<string, unknown> = {};
      const network: Record<string, unknown> = {};
      const memo: Record<string, Record<string, boolean>> = {};
      for (const entry of CURRENCIES) {
        balance[entry.code] = idrNumberOrCoinText(entry, state.available(entry.code));
        hold[entry.code] = idrNumberOrCoinText(entry, state.onHold(entry.code));
        const networks = Object.keys(entry.networks);
        if (networks.length === 0) continue;
        network[entry.code] = networks.length === 1 ? networks[0] : networks;
        memo[entry.code] = Object.fromEntries(networks.map((name) => [name, false]));
      }
      return {
        success: 1,
        return: {
          server_time: unixSeconds(ctx.clock.now()),
          balance,
          balance_hold: hold,
          address: state.user.addresses,
          network,
          memo_is_required: memo,
          user_id: state.user.userId,
          name: state.user.name,
          email: state.user.email,
          profile_picture: null,
          verification_status: 'verified',
          gauth_enable: true,
          withdraw_status: 1,
        },
      };
    },

    transHistory: (call) => {
      const today = startOfDay(ctx.clock.now(), WIB_OFFSET_MS);
      const startText = optional(call, 'start');
      const endText = optional(call, 'end');
      const start = startText === undefined ? undefined : parseIsoDate(startText, WIB_OFFSET_MS);
      const end = endText === undefined ? undefined : parseIsoDate(endText, WIB_OFFSET_MS);
      if ((startText !== undefined && start === undefined) || (endText !== undefined && end === undefined)) {
        throw TapiError.of('date format must be formatted yyyy-mm-dd', 'invalid_date');
      }
      const to = end ?? (start === undefined ? today : Math.min(today, start + MAX_RANGE_DAYS * DAY));
      const from = start ?? to - MAX_RANGE_DAYS * DAY;
      if (from > to) throw TapiError.of('start date must be less then end date', 'invalid_date');
      if (to - from > MAX_RANGE_DAYS * DAY) throw TapiError.of("range date can't more than 7 days", 'invalid_date');
      const inRange = (at: number): boolean => at >= from && at < to + DAY;
      const withdraw: Record<string, unknown[]> = {};
      const deposit: Record<string, unknown[]> = {};
      for (const entry of CURRENCIES) {
        withdraw[entry.code] = newestFirst(state.withdrawals.filter((item) => item.currency === entry.code && inRange(item.submitTime))).map(renderWithdrawal);
        deposit[entry.code] = newestFirst(state.deposits.filter((item) => item.currency === entry.code && inRange(item.submitTime))).map(renderDeposit);
      }
      return { success: 1, return: { withdraw, deposit } };
    },
  };
}

function newestFirst<T extends { submitTime: number }>(items: T[]): T[] {
  return items.sort((a, b) => b.submitTime - a.submitTime).slice(0, MAX_RECORDS);
}

function renderDeposit(deposit: Deposit): Record<string, unknown> {
  const entry = currency(deposit.currency);
  if (!entry) throw new Error(`unknown currency ${deposit.currency}`);
  const successTime = deposit.successTime === undefined ? '0' : secondsText(deposit.successTime);
  if (entry.code === 'idr') {
    return {
      status: deposit.status,
      type: deposit.type ?? 'transfer',
      rp: amountText(entry, deposit.gross),
      fee: amountText(entry, deposit.fee),
      amount: amountText(entry, deposit.gross - deposit.fee),
      submit_time: secondsText(deposit.submitTime),
      success_time: successTime,
      deposit_id: String(deposit.id),
      tx: deposit.tx,
    };
  }
  return {
    status: deposit.status,
    [entry.code]: amountText(entry, deposit.gross),
    amount: amountText(entry, deposit.gross - deposit.fee),
    success_time: successTime,
    deposit_id: String(deposit.id),
    tx: deposit.tx,
  };
}

function renderWithdrawal(withdrawal: Withdrawal): Record<string, unknown> {
  const entry = currency(withdrawal.currency);
  if (!entry) throw new Error(`unknown currency ${withdrawal.currency}`);
  const common = {
    fee: amountText(entry, withdrawal.fee),
    amount: amountText(entry, withdrawal.gross - withdrawal.fee),
    submit_time: secondsText(withdrawal.submitTime),
    success_time: withdrawal.successTime === undefined ? '0' : secondsText(withdrawal.successTime),
    withdraw_id: withdrawal.id,
    tx: withdrawal.tx,
  };
  if (entry.code === 'idr') return { status: withdrawal.status, type: withdrawal.type ?? 'transfer', rp: amountText(entry, withdrawal.gross), ...common };
  return {
    status: withdrawal.status,
    ...common,
    [entry.code]: amountText(entry, withdrawal.gross),
    ...(withdrawal.network === undefined ? {} : { network: withdrawal.network }),
    ...(withdrawal.username === undefined ? { address: withdrawal.address } : { username: withdrawal.username }),
  };
}
