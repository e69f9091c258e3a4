//#if payments
import { ProviderAssets, type PaymentObservation } from '@finmesh/connector-kit';
//#else
import { ProviderAssets } from '@finmesh/connector-kit';
//#endif
import { accountRef, createEvent, minorUnitsOf, moneyFromDecimal, moneyFromMinorUnits, type BalanceUpdatedEvent } from '@finmesh/schemas';
//#if payments
import type { __Name__Balance, __Name__Payment } from './client';
//#else
import type { __Name__Balance } from './client';
//#endif

/** The precision of each currency the provider uses (never guessed: an unknown one is an error). */
export const __NAME___ASSET_PRECISIONS: Readonly<Record<string, number>> = { USD: 2, EUR: 2, IDR: 0 };

const __NAME___ASSETS = new ProviderAssets('__name__', '__NAME___ASSET_PRECISIONS (normalize.ts)', __NAME___ASSET_PRECISIONS);

export function assetOf(currency: string): string {
  return __NAME___ASSETS.assetOf(currency);
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
}

/** A provider balance as `balance.updated`, in exact minor units. */
export function balanceUpdated(balance: __Name__Balance, context: ObservationContext): BalanceUpdatedEvent {
  const asset = assetOf(balance.currency);
  const booked = moneyFromDecimal(balance.booked, asset);
  const available = balance.available === undefined ? undefined : moneyFromDecimal(balance.available, asset);
  const held = available === undefined ? undefined : minorUnitsOf(booked) - minorUnitsOf(available);
  return createEvent('balance.updated', {
    provider: '__provider__',
    source: 'poll',
    occurredAt: balance.as_of,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('__provider__', balance.account_id),
    correlationId: context.correlationId,
    data: {
      asset,
      booked,
      ...(available === undefined ? {} : { available }),
      ...(held !== undefined && held >= 0n ? { onHold: moneyFromMinorUnits(held, asset) } : {}),
      asOf: balance.as_of,
    },
  });
}
//#if payments

/** A payment's status as the provider reports it (raw scheme `__scheme__`); updated_at versions it. */
export function paymentObservation(payment: __Name__Payment): PaymentObservation {
  return {
    rawStatus: { scheme: '__scheme__', code: payment.status },
    providerStatusVersion: payment.updated_at,
    occurredAt: payment.updated_at,
    ...(payment.reason === undefined || payment.reason === null || payment.reason === '' ? {} : { reason: payment.reason }),
  };
}
//#endif
