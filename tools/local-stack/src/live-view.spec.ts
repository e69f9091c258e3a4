import { renderView, type ViewContext } from './live-view';
import type { StackSnapshot } from './monitor';
import { reconcile } from './reconcile';

const money = (amount: string, asset: string) => ({ amount, asset });

describe('the live view', () => {
  const snapshot: StackSnapshot = {
    at: new Date('2026-01-02T03:04:05Z'),
    services: [
      { app: 'ledger', url: 'http://127.0.0.1:3100', state: 'ready' },
      { app: 'ingress', url: 'http://127.0.0.1:8080', state: 'not ready', detail: 'ready: HTTP 503' },
    ],
    topics: [{ topic: 'finmesh.transaction-posted.v1', total: 1234, perSecond: 56.25, deadLettered: 2 }],
    reconciliation: reconcile(
      {
        asOf: '2026-01-02T03:04:05Z',
        providers: {
          indx: [{ provider: 'indx', accountId: 'acc_1', asset: 'EUR/2', status: 'open', balance: money('10050', 'EUR/2') }],
          finx: [{ provider: 'finx', accountId: 'fx_1', asset: 'SGD/2', status: 'open', balance: money('1', 'SGD/2') }],
        },
      },
      [{ providerAccountKey: 'indx:acc_1', asset: 'EUR/2', booked: money('10050', 'EUR/2'), held: money('0', 'EUR/2') }],
      new Set(['indx']),
    ),
    reconciliationNote: undefined,
    openDiscrepancies: 3,
  };
  const context: ViewContext = {
    kafka: '127.0.0.1:9092',
    postgres: 'postgres://postgres@127.0.0.1:5432/postgres (local server)',
    urls: [{ label: 'ledger balances', url: 'http://127.0.0.1:3100/v1/balances' }],
    notices: ['connector-finx     not available yet (not in apps/)'],
    scenario: [
      { step: { id: 'indexo-sepa-sca', title: 'INDEXO SEPA credit transfer with decoupled SCA, settled and booked', requires: ['connector-indexo'] }, status: 'skipped', detail: 'not available yet: connector-indexo' },
    ],
    maxAccounts: 10,
    footer: 'Ctrl-C stops everything',
  };

  it('shows health, events per second and DLQ per topic, balances beside the ground truth, discrepancies, the scenario and the URLs', () => {
    const view = renderView(snapshot, context);
    expect(view).toContain('ingress            not ready  http://127.0.0.1:8080  (ready: HTTP 503)');
    expect(view).toMatch(/finmesh\.transaction-posted\.v1\s+56\.3\s+1234\s+2/);
    expect(view).toContain('open discrepancies: 3');
    expect(view).toMatch(/= indx:acc_1\s+EUR\/2\s+ledger\s+100\.50\s+sandbox\s+100\.50/);
    expect(view).toContain('finx      1 accounts; no connector running — not available yet: connector-finx');
    expect(view).toContain('skip INDEXO SEPA credit transfer with decoupled SCA, settled and booked — not available yet: connector-indexo');
    expect(view).toContain('http://127.0.0.1:3100/v1/balances');
    expect(view).toContain('connector-finx     not available yet (not in apps/)');
  });

  it('says why the comparison is missing instead of showing an empty table', () => {
    const view = renderView({ ...snapshot, reconciliation: undefined, reconciliationNote: 'GET http://127.0.0.1:3100/v1/balances: HTTP 503' }, context);
    expect(view).toContain('not available: GET http://127.0.0.1:3100/v1/balances: HTTP 503');
  });
});
