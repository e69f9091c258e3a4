import { readRequiredHeader } from './headers';
import { VerificationFailureReason } from './verification';

describe('reading request headers', () => {
  it('finds a header case-insensitively and trims it', () => {
    expect(readRequiredHeader({ 'x-api-key': ' key-1 ' }, 'X-API-KEY')).toEqual({ ok: true, value: 'key-1' });
    expect(readRequiredHeader({ 'X-Api-Key': 'key-1' }, 'x-api-key')).toEqual({ ok: true, value: 'key-1' });
  });

  it('reads a fetch Headers object', () => {
    expect(readRequiredHeader(new Headers({ 'Webhook-Id': 'msg_1' }), 'webhook-id')).toEqual({ ok: true, value: 'msg_1' });
    expect(readRequiredHeader(new Headers(), 'webhook-id')).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
  });

  it('reports an absent or empty header as missing', () => {
    expect(readRequiredHeader({}, 'X-API-KEY')).toMatchObject({ ok: false, reason: VerificationFailureReason.MissingHeader });
    expect(readRequiredHeader({ 'x-api-key': '  ' }, 'X-API-KEY')).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(readRequiredHeader({ 'x-api-key': undefined }, 'X-API-KEY')).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(readRequiredHeader({ 'x-api-key': [] }, 'X-API-KEY')).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
  });

  it('refuses a header sent more than once', () => {
    expect(readRequiredHeader({ 'x-api-key': ['a', 'b'] }, 'X-API-KEY')).toMatchObject({
      reason: VerificationFailureReason.MalformedHeader,
    });
    expect(readRequiredHeader({ 'x-api-key': 'a', 'X-API-KEY': 'b' }, 'X-API-KEY')).toMatchObject({
      reason: VerificationFailureReason.MalformedHeader,
    });
    expect(readRequiredHeader({ 'x-api-key': ['only'] }, 'X-API-KEY')).toEqual({ ok: true, value: 'only' });
    expect(readRequiredHeader({ 'x-api-key': ['a'], 'X-Api-Key': ['b'] }, 'X-API-KEY')).toMatchObject({
      reason: VerificationFailureReason.MalformedHeader,
    });
  });

  it('counts an empty list as no value, wherever it stands among the names', () => {
    expect(readRequiredHeader({ 'x-api-key': 'key-1', 'X-API-KEY': [] }, 'x-api-key')).toEqual({ ok: true, value: 'key-1' });
    expect(readRequiredHeader({ 'X-API-KEY': [], 'x-api-key': 'key-1' }, 'x-api-key')).toEqual({ ok: true, value: 'key-1' });
  });

  it('does not take a name that only lower-cases to something longer or shorter for the header', () => {
    // "İ" lower-cases to two code units; neither record holds x-api-key.
    expect(readRequiredHeader({ 'x-apİ-key': 'key-1' }, 'x-api-key')).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(readRequiredHeader({ 'x-api-keys': 'key-1', 'x-api-ke': 'key-2' }, 'x-api-key')).toMatchObject({
      reason: VerificationFailureReason.MissingHeader,
    });
  });
});
