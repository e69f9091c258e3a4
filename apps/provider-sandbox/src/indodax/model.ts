/** Indodax records as the sandbox keeps them; amounts are minor units of their currency. */
export type DepositStatus = 'pending' | 'success';
export type WithdrawStatus = 'pending' | 'success';

export interface Deposit {
  readonly id: number;
  readonly currency: string;
  status: DepositStatus;
  /** IDR deposits: the payment channel (`duitku`, `bca_va`…). */
  readonly type?: string;
  /** Gross amount; `amount` = gross − fee is what the balance gets. */
  readonly gross: bigint;
  readonly fee: bigint;
  readonly submitTime: number;
  successTime?: number;
  readonly tx: string;
  readonly entryIds: string[];
}

export interface Withdrawal {
  readonly id: string;
  readonly currency: string;
  status: WithdrawStatus;
  readonly type?: string;
  /** What the user asked to withdraw (withdraw_amount); fee is taken out of it. */
  readonly gross: bigint;
  readonly fee: bigint;
  readonly address: string;
  readonly network?: string;
  readonly username?: string;
  readonly memo?: string;
  readonly requestId?: string;
  readonly submitTime: number;
  successTime?: number;
  tx: string;
  readonly entryIds: string[];
}

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type OrderStatus = 'open' | 'filled' | 'cancelled';

export interface Order {
  readonly id: number;
  readonly clientOrderId?: string;
  readonly pairId: string;
  readonly side: OrderSide;
  readonly orderType: OrderType;
  /** Quote minor units per whole base unit. */
  readonly price: bigint;
  /** Whether the order was sized in the quote currency (`idr=`) or the base currency (`btc=`). */
  readonly sizedIn: 'quote' | 'base';
  readonly amount: bigint;
  remaining: bigint;
  status: OrderStatus;
  readonly submitTime: number;
  finishTime?: number;
  holdEntryId?: string;
  /** What the order has received so far (base for buys, quote for sells), after fees. */
  received: bigint;
  /** What the order has spent so far (quote for buys, base for sells). */
  spent: bigint;
  /** Funds given back when the order was cancelled with something left. */
  refunded: bigint;
  /** Trading fee paid, in the currency received. */
  fee: bigint;
}

export interface Trade {
  readonly id: number;
  readonly orderId: number;
  readonly pairId: string;
  readonly side: OrderSide;
  readonly baseAmount: bigint;
  readonly price: bigint;
  /** In the currency received. */
  readonly fee: bigint;
  readonly time: number;
  readonly clientOrderId?: string;
}

export interface IndodaxEntryMeta {
  /** `deposit`, `withdraw`, `trade` or `order`, and its id. */
  source: 'deposit' | 'withdraw' | 'trade' | 'order';
  sourceId: string;
}
