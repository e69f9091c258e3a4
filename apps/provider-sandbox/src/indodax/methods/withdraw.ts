import { formatMinor, formatMinorTrimmed } from '../../core/money';
import { startOfDay, unixSeconds } from '../../core/time';
import { jsonNumber } from '../../http/json';
import { currency, type IndodaxCurrency } from '../currencies';
import { TapiError } from '../errors';
import { amountText, secondsText } from '../render';
import type { TapiCall, TapiDeps, TapiHandler } from '../tapi';
import { WIB_OFFSET_MS } from './account';
import { amountParam, optional, required } from './params';

const OWN_ADDRESS_MESSAGE = 'Please use recipient address other than your Indodax account address';
const REQUEST_ID = /^[A-Za-z0-9]{1,255}$/;

export function withdrawMethods(deps: TapiDeps): Record<string, TapiHandler> {
  const { ctx, state, withdrawals } = deps;

  return {
    withdrawFee: (call) => {
      const coin = coinParam(call);
      const [, fee] = networkFee(coin, optional(call, 'network'), false);
      return {
        success: 1,
        return: { server_time: unixSeconds(ctx.clock.now()), withdraw_fee: jsonNumber(formatMinorTrimmed(fee, coin.asset.precision)), currency: coin.code },
      };
    },

    withdrawCoin: async (call) => {
      const coin = coinParam(call);
      const byUsername = (optional(call, 'withdraw_input_method') ?? 'address') === 'username';
      const requestId = required(call, 'request_id');
      if (!REQUEST_ID.test(requestId)) throw TapiError.of('Invalid request_id: up to 255 letters and digits.', 'invalid_request_id');
      const amountInput = required(call, 'withdraw_amount');
      const amount = amountParam(amountInput, coin, 'withdraw_amount');
      if (amount === 0n) {
        const error = "Can't make withdrawal with amount 0, input a larger withdraw_amount value";
        // Documented with success 1 for the username flow.
        throw new TapiError(byUsername ? { success: 1, error, error_code: '' } : { success: 0, error, error_code: 'invalid_amount' });
      }
      const memo = optional(call, 'withdraw_memo');
      let address = '';
      let username: string | undefined;
      let network: string | undefined;
      let fee = 0n;
      if (byUsername) {
        username = required(call, 'withdraw_username');
        if (username === state.user.username) throw new TapiError({ success: 0, error: OWN_ADDRESS_MESSAGE, error_code: '' });
        if (!state.knownUsernames.has(username)) throw new TapiError({ success: 1, error: 'Username is not found!', error_code: '' });
      } else {
        [network, fee] = networkFee(coin, optional(call, 'network'), true);
        address = required(call, 'withdraw_address');
        if (address === state.user.addresses[coin.code]) throw new TapiError({ success: 0, error: OWN_ADDRESS_MESSAGE, error_code: '' });
        if (amount <= fee) throw TapiError.of(`withdraw_amount must be greater than the fee (${amountText(coin, fee)} ${coin.code}).`, 'invalid_amount');
      }
      if (state.available(coin.code) < amount) throw TapiError.of('Insufficient balance.', 'insufficient_balance');
      const remaining = coin.dailyLimit - withdrawnToday(deps, coin);
      if (amount > remaining) {
        throw new TapiError({
          success: 1,
          error: `Exceeded today's limit. Remain limit: ${formatMinor(remaining, 8)} ${coin.code.toUpperCase()}. To increase the limit, please contact customer service.`,
        });
      }
      const url = withdrawals.callbackUrl(call.key);
      if (url === undefined) throw TapiError.of('Withdrawal rejected: no callback URL is set for this API key.', 'callback_not_set');
      const confirmed = await withdrawals.confirm(url, {
        request_id: requestId,
        withdraw_currency: coin.code,
        withdraw_address: address,
        withdraw_amount: amountInput,
        ...(memo === undefined ? {} : { withdraw_memo: memo }),
        ...(username === undefined ? {} : { withdraw_username: username }),
        requester_ip: call.ip,
        request_date: withdrawals.requestDate(),
      });
      if (!confirmed) throw TapiError.of('Withdrawal rejected: the callback URL did not answer "ok".', 'callback_rejected');
      const withdrawal = state.recordWithdrawal({
        currency: coin.code,
        gross: amount,
        fee,
        address,
        ...(network === undefined ? {} : { network }),
        ...(username === undefined ? {} : { username }),
        ...(memo === undefined ? {} : { memo }),
        requestId,
        tx: '',
        at: ctx.clock.now(),
        completed: false,
      });
      withdrawals.scheduleCompletion(withdrawal);
      return {
        success: 1,
        status: byUsername ? 'wait' : 'approved',
        withdraw_currency: coin.code,
        withdraw_address: address,
        withdraw_amount: amountText(coin, amount),
        fee: amountText(coin, fee),
        amount_after_fee: amountText(coin, amount - fee),
        submit_time: secondsText(withdrawal.submitTime),
        withdraw_id: withdrawal.id,
        txid: '',
        ...(username === undefined ? {} : { withdraw_username: username }),
      };
    },
  };
}

function coinParam(call: TapiCall): IndodaxCurrency {
  const code = required(call, 'currency').toLowerCase();
  const coin = currency(code);
  if (!coin || coin.code === 'idr') throw TapiError.of(`Invalid currency: ${code}.`, 'invalid_currency');
  return coin;
}

/**
 * The network asked for (or the only one; withdrawFee also defaults to the first) and its fee;
 * the documented error otherwise.
 */
function networkFee(coin: IndodaxCurrency, requested: string | undefined, mustChoose: boolean): [string, bigint] {
  const networks = Object.entries(coin.networks);
  const defaulted = mustChoose && networks.length > 1 ? undefined : networks[0];
  const chosen = requested === undefined ? defaulted : networks.find(([name]) => name === requested);
  if (!chosen) {
    throw new TapiError({ success: 0, error: `Invalid network, please fill with one of this ${networks.map(([name]) => name).join(', ')}`, error_code: '' });
  }
  return chosen;
}

function withdrawnToday({ ctx, state }: TapiDeps, coin: IndodaxCurrency): bigint {
  const today = startOfDay(ctx.clock.now(), WIB_OFFSET_MS);
  return state.withdrawals.filter((item) => item.currency === coin.code && item.submitTime >= today).reduce((sum, item) => sum + item.gross, 0n);
}
