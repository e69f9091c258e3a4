import { ContractError } from '@finmesh/schemas';
import { balanceUpdated } from './normalize';

const context = { observedAt: new Date('2026-05-01T10:00:05Z'), correlationId: 'sync-__name__-test' };

describe('__name__ normalization', () => {
  it('turns a balance into balance.updated with exact minor units and the held part', () => {
    const event = balanceUpdated({ account_id: 'acc_1', currency: 'USD', booked: '1000.10', available: '900.00', as_of: '2026-05-01T10:00:00Z' }, context);
    expect(event).toMatchObject({ provider: '__provider__', account: { key: '__provider__:acc_1' } });
    expect(event.data).toEqual({
      asset: 'USD/2',
      booked: { amount: '100010', asset: 'USD/2' },
      available: { amount: '90000', asset: 'USD/2' },
      onHold: { amount: '10010', asset: 'USD/2' },
      asOf: '2026-05-01T10:00:00Z',
    });
  });

  it('never rounds and never guesses a precision', () => {
    expect(() => balanceUpdated({ account_id: 'acc_1', currency: 'USD', booked: '1.001', as_of: '2026-05-01T10:00:00Z' }, context)).toThrow(ContractError);
    expect(() => balanceUpdated({ account_id: 'acc_1', currency: 'XAU', booked: '1', as_of: '2026-05-01T10:00:00Z' }, context)).toThrow(/XAU/);
  });
});
