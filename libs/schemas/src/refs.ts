import { z } from 'zod';
import { identifierSchema, ProviderSchema, WHEN_FIELDS_VALID, type Provider } from './primitives';

/**
 * A reference to something a provider owns: the provider, the provider's own id, and `key`, the
 * stable string `<provider>:<id>` that is the Kafka partition key (so ordering holds per account
 * or per payment). Provider names contain no ':', so the key is unambiguous.
 */
function refSchema(id: string, description: string, idDescription: string) {
  return z
    .strictObject({
      provider: ProviderSchema,
      id: identifierSchema(256).describe(idDescription),
      key: z.string().max(300).describe('Stable string form `<provider>:<id>`, used as the Kafka partition key.'),
    })
    .superRefine(
      (ref, context) => {
        if (ref.key !== refKey(ref.provider, ref.id)) {
          context.addIssue({ code: 'custom', path: ['key'], message: 'must be exactly "<provider>:<id>" of this ref' });
        }
      },
      WHEN_FIELDS_VALID,
    )
    .meta({ id, description });
}

export const AccountRefSchema = refSchema(
  'AccountRef',
  'A provider account: the provider and its own account id, plus the key `<provider>:<id>` (e.g. indx:acc_123).',
  "The provider's own account id, exactly as the provider writes it.",
);

export const PaymentRefSchema = refSchema(
  'PaymentRef',
  'A payment at a provider, stable for its whole lifecycle, plus the key `<provider>:<id>`.',
  "The id that stays the same for the payment's whole lifecycle: the provider's payment id, or, where the provider assigns its id only later (Indodax withdrawCoin), the request id finmesh sent.",
);

export type AccountRef = z.infer<typeof AccountRefSchema>;
export type PaymentRef = z.infer<typeof PaymentRefSchema>;

export function refKey(provider: Provider, id: string): string {
  return `${provider}:${id}`;
}

export function accountRef(provider: Provider, id: string): AccountRef {
  return { provider, id, key: refKey(provider, id) };
}

export function paymentRef(provider: Provider, id: string): PaymentRef {
  return { provider, id, key: refKey(provider, id) };
}
