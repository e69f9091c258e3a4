import type { SandboxContext } from '../context';
import type { IndodaxKey, IndodaxPermission } from '../options';
import type { IndodaxExchange } from './exchange';
import type { TapiRateLimits } from './rate-limits';
import type { IndodaxState } from './state';
import type { CallbackWithdrawals } from './withdrawals';

/** One authenticated TAPI call, as the method handlers see it. */
export interface TapiCall {
  readonly method: string;
  readonly key: IndodaxKey;
  readonly params: ReadonlyMap<string, string>;
  /** The caller's address, sent to the withdraw callback as requester_ip. */
  readonly ip: string;
}

export type TapiResponse = Record<string, unknown>;
export type TapiHandler = (call: TapiCall) => TapiResponse | Promise<TapiResponse>;

export interface TapiDeps {
  ctx: SandboxContext;
  state: IndodaxState;
  exchange: IndodaxExchange;
  limits: TapiRateLimits;
  withdrawals: CallbackWithdrawals;
}

/** Which key permission each method needs, as documented. */
export const METHOD_PERMISSIONS: Readonly<Record<string, IndodaxPermission>> = {
  getInfo: 'view',
  transHistory: 'view',
  tradeHistory: 'view',
  openOrders: 'view',
  orderHistory: 'view',
  getOrder: 'view',
  getOrderByClientOrderId: 'view',
  trade: 'trade',
  cancelOrder: 'trade',
  cancelByClientOrderId: 'trade',
  withdrawFee: 'withdraw',
  withdrawCoin: 'withdraw',
};
