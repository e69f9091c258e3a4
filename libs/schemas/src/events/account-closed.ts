import { z } from 'zod';
import { textSchema, WHEN_FIELDS_VALID } from '../primitives';
import { AccountRefSchema } from '../refs';
import { checkRefsBelongToProvider, CorrelationIdSchema, envelopeHead, PROVIDER_FACT_SOURCES } from './envelope';

export const ACCOUNT_CLOSURES = ['deleted', 'closed'] as const;

export const AccountClosedDataSchema = z
  .strictObject({
    closure: z
      .enum(ACCOUNT_CLOSURES)
      .describe('deleted: the provider removed the account and its data (Fin X DELETE); closed: it exists but is closed.'),
    reason: textSchema(1000).optional().describe('Why, when known.'),
  })
  .meta({ id: 'AccountClosedData' });

export const AccountClosedEventSchema = z
  .strictObject({
    ...envelopeHead('account.closed', PROVIDER_FACT_SOURCES),
    account: AccountRefSchema,
    correlationId: CorrelationIdSchema,
    data: AccountClosedDataSchema,
  })
  .superRefine(checkRefsBelongToProvider, WHEN_FIELDS_VALID)
  .meta({
    id: 'AccountClosedEvent',
    title: 'account.closed v1',
    description:
      'A provider account was deleted or closed (Fin X deletes accounts). No further facts are expected for it.',
  });

export type AccountClosedData = z.infer<typeof AccountClosedDataSchema>;
export type AccountClosedEvent = z.infer<typeof AccountClosedEventSchema>;
