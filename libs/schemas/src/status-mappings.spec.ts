import { PAYMENT_STATUSES } from './payment-status';
import { PROVIDERS } from './primitives';
import {
  findStatusMapping,
  normalizeProviderStatus,
  RawProviderStatusSchema,
  STATUS_SCHEME_NAMES,
  STATUS_SCHEMES,
  statusSchemesOf,
  UnknownProviderStatusError,
  type StatusSchemeName,
} from './status-mappings';

/** The raw codes the issue and the provider documents name: each must map, to this status. */
const EXPECTED: Record<StatusSchemeName, Record<string, string>> = {
  'indexo.iso20022': {
    RCVD: 'initiated',
    PATC: 'pending_authorisation',
    PDNG: 'pending_approval',
    ACTC: 'accepted',
    ACCP: 'accepted',
    ACFC: 'accepted',
    ACWC: 'accepted',
    PART: 'accepted',
    ACSP: 'processing',
    ACWP: 'processing',
    ACSC: 'settled',
    ACCC: 'settled',
    RJCT: 'rejected',
    CANC: 'cancelled',
  },
  'indexo.sca': {
    received: 'pending_authorisation',
    psuIdentified: 'pending_authorisation',
    psuAuthenticated: 'pending_authorisation',
    scaMethodSelected: 'pending_authorisation',
    started: 'pending_authorisation',
    unconfirmed: 'pending_authorisation',
    finalised: 'pending_approval',
    exempted: 'pending_approval',
    failed: 'failed',
  },
  'indx.transfer': {
    pending: 'accepted',
    processing: 'processing',
    completed: 'settled',
    failed: 'failed',
    cancelled: 'cancelled',
  },
  'indodax.withdraw': {
    requested: 'initiated',
    approved: 'accepted',
    wait: 'accepted',
    pending: 'processing',
    success: 'settled',
    failed: 'failed',
    rejected: 'rejected',
    cancelled: 'cancelled',
  },
  'findigi.transfer': {
    pending: 'initiated',
    awaiting_approval: 'pending_approval',
    approved: 'accepted',
    processing: 'processing',
    completed: 'settled',
    success: 'settled',
    rejected: 'rejected',
    failed: 'failed',
    cancelled: 'cancelled',
    expired: 'cancelled',
  },
};

describe('provider status mapping tables', () => {
  it.each(STATUS_SCHEME_NAMES)('%s maps exactly the expected raw codes', (scheme) => {
    const expected = EXPECTED[scheme];
    expect(Object.keys(STATUS_SCHEMES[scheme].codes).sort()).toEqual(Object.keys(expected).sort());
    for (const [raw, status] of Object.entries(expected)) {
      expect(normalizeProviderStatus(scheme, raw)).toBe(status);
    }
  });

  it('maps every code to a known normalized status', () => {
    for (const scheme of STATUS_SCHEME_NAMES) {
      for (const mapping of Object.values(STATUS_SCHEMES[scheme].codes)) {
        expect(PAYMENT_STATUSES).toContain(mapping.status);
        expect(mapping.meaning.length).toBeGreaterThan(0);
      }
    }
  });

  it('marks the codes the provider documents themselves', () => {
    const documented = (scheme: StatusSchemeName) =>
      Object.entries(STATUS_SCHEMES[scheme].codes)
        .filter(([, mapping]) => mapping.origin === 'provider-doc')
        .map(([raw]) => raw)
        .sort();
    expect(documented('indodax.withdraw')).toEqual(['approved', 'success', 'wait']);
    expect(documented('findigi.transfer')).toEqual(['awaiting_approval']);
    expect(documented('indx.transfer')).toEqual([]);
  });

  it.each<[StatusSchemeName, string]>([
    ['indexo.iso20022', 'XXXX'],
    ['indexo.iso20022', 'rcvd'],
    ['indexo.sca', 'Finalised'],
    ['indodax.withdraw', 'SUCCESS'],
    ['indodax.withdraw', ''],
    ['findigi.transfer', 'awaiting-approval'],
    ['indx.transfer', 'toString'],
    ['indx.transfer', '__proto__'],
    ['indx.transfer', 'constructor'],
  ])('%s status %p is an error, never a default', (scheme, raw) => {
    expect(() => normalizeProviderStatus(scheme, raw)).toThrow(UnknownProviderStatusError);
    expect(findStatusMapping(scheme, raw)).toBeUndefined();
  });

  it('names the scheme, the raw code and the known codes in the error', () => {
    expect(() => normalizeProviderStatus('indodax.withdraw', 'exploded')).toThrow(
      'unknown indodax.withdraw status "exploded"; known: requested, approved, wait, pending, success, failed, rejected, cancelled',
    );
    try {
      normalizeProviderStatus('indodax.withdraw', 'exploded');
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(UnknownProviderStatusError);
      expect((error as UnknownProviderStatusError).code).toBe('unknown_provider_status');
    }
  });

  it('lists the schemes per provider (Fin X has no payments)', () => {
    expect(statusSchemesOf('indexo')).toEqual(['indexo.iso20022', 'indexo.sca']);
    expect(statusSchemesOf('indx')).toEqual(['indx.transfer']);
    expect(statusSchemesOf('indodax')).toEqual(['indodax.withdraw']);
    expect(statusSchemesOf('findigi')).toEqual(['findigi.transfer']);
    expect(statusSchemesOf('finx')).toEqual([]);
    for (const scheme of STATUS_SCHEME_NAMES) expect(PROVIDERS).toContain(STATUS_SCHEMES[scheme].provider);
  });

  it('RawProviderStatusSchema is strict', () => {
    expect(RawProviderStatusSchema.safeParse({ scheme: 'indexo.sca', code: 'started' }).success).toBe(true);
    expect(RawProviderStatusSchema.safeParse({ scheme: 'indexo.sca', code: 'started', x: 1 }).success).toBe(false);
    expect(RawProviderStatusSchema.safeParse({ scheme: 'indexo', code: 'started' }).success).toBe(false);
    expect(RawProviderStatusSchema.safeParse({ scheme: 'indexo.sca', code: '' }).success).toBe(false);
  });
});
