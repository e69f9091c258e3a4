import { defineConnector } from './connector';
import type { ResourceFetcher } from './capabilities';

const emptyFetcher: ResourceFetcher = { fetchPage: () => Promise.resolve({ events: [], cursor: null, hasMore: false }) };

describe('defineConnector', () => {
  it('exposes only the declared capabilities, in the engine order', () => {
    const connector = defineConnector({
      name: 'example',
      provider: 'finx',
      capabilities: ['fetch_transactions', 'fetch_accounts'],
      handlers: { fetch_transactions: emptyFetcher, fetch_accounts: emptyFetcher },
    });
    expect(connector.capabilities).toEqual(['fetch_accounts', 'fetch_transactions']);
    expect(connector.syncResources().map((binding) => binding.resource)).toEqual(['accounts', 'transactions']);
    expect(connector.handler('fetch_balances')).toBeUndefined();
    expect(connector.handler('initiate_payment')).toBeUndefined();
    expect(connector.has('fetch_accounts')).toBe(true);
  });

  it('refuses a declared capability without an implementation, and an implementation without a declaration', () => {
    expect(() =>
      defineConnector({
        name: 'example',
        provider: 'finx',
        capabilities: ['fetch_accounts', 'fetch_balances'],
        // @ts-expect-error -- fetch_balances is declared but not implemented
        handlers: { fetch_accounts: emptyFetcher },
      }),
    ).toThrow('declares fetch_balances but does not implement it');
    expect(() =>
      defineConnector({
        name: 'example',
        provider: 'finx',
        capabilities: ['fetch_accounts'],
        // @ts-expect-error -- fetch_balances is implemented but not declared
        handlers: { fetch_accounts: emptyFetcher, fetch_balances: emptyFetcher },
      }),
    ).toThrow('implements fetch_balances without declaring it');
  });

  it('refuses a name that cannot name state rows and consumer groups', () => {
    expect(() => defineConnector({ name: 'Bad Name', provider: 'finx', capabilities: [], handlers: {} })).toThrow(/lower-case/);
  });
});
