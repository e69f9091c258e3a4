import { createHash } from 'node:crypto';
import {
  canonicalJson,
  ConnectorApiError,
  CONNECTOR_API_ERROR_CODES,
  describeError,
  failurePolicyOf,
  IDEMPOTENCY_KEY_PATTERN,
  UpstreamError,
  type ConnectorLogger,
  type EventSink,
  type ResourceReader,
  type ResourceRecord,
  type ResourceWriter,
  type SqlRunner,
} from '@finmesh/connector-kit';
import { ContractError, LosslessJsonValueSchema, moneyFromDecimal, type FinmeshEvent, type LosslessJsonValue, type Money } from '@finmesh/schemas';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import type { FinxAccount, FinxClient, WithRaw } from './client';
import { accountClosed, balanceOf, exactJsonNumber, isoOfUnixSeconds, RESOURCE_KINDS, type FinxAssets, type ObservationContext } from './normalize';
import { observeAccounts } from './sync';

type Operation = 'create' | 'update' | 'delete';

const accountType = z.string().min(1).max(64);
const currencyCode = z.string().regex(/^[A-Z]{3}$/, { message: 'must be an upper-case ISO 4217 code, e.g. USD' });
/** A JSON number or a decimal string; the body is parsed losslessly, so a number arrives as its exact text. */
const decimal = z.string().min(1).max(100);

const CreateAccountSchema = z.strictObject({ type: accountType, balance: decimal, currency: currencyCode, ownerId: z.string().min(1).max(256) });
const UpdateAccountSchema = z
  .strictObject({ type: accountType.optional(), balance: decimal.optional(), currency: currencyCode.optional() })
  .refine((body) => body.type !== undefined || body.balance !== undefined || body.currency !== undefined, { message: 'give at least one of type, balance, currency' });
const DeleteAccountSchema = z.strictObject({ reason: z.string().min(1).max(1000).optional() });

/** An account as the connector's API shows it: money in minor units with its asset (a type alias: it is stored as JSON). */
export type AccountView = {
  id: string;
  type: string;
  currency: string;
  ownerId: string;
  balance: Money;
  createdAt: string;
  updatedAt: string;
};

export interface CommandResult {
  /** 201 for a created account, 200 otherwise; a replay is always 200. */
  status: number;
  replayed: boolean;
  body: LosslessJsonValue;
}

interface CommandRow {
  request_hash: string;
  operation: Operation;
  state: 'started' | 'completed' | 'refused' | 'unknown';
  status: number | null;
  response: LosslessJsonValue | null;
}

interface CommandInput {
  idempotencyKey: string | undefined;
  body: unknown;
  correlationId: string;
  signal?: AbortSignal;
}

interface Executed {
  status: number;
  body: LosslessJsonValue;
  /** Builds the events and records of the change; run after the command's row is committed. */
  reflect(context: ObservationContext): Promise<{ events: FinmeshEvent[]; records: ResourceRecord[] }>;
}

export interface FinxAccountCommandsOptions {
  client: FinxClient;
  assets: FinxAssets;
  pool: Pool;
  publisher: EventSink;
  resources: ResourceReader & ResourceWriter;
  log: ConnectorLogger;
  now?: () => Date;
}

/**
 * Account management through the connector: create, update and delete a Fin X account, each with
 * an Idempotency-Key. Fin X itself takes no key, so the connector keeps one row per key: the same
 * key and body answer what the first request got (nothing is sent to Fin X again), another body
 * gets 409, and concurrent requests with one key are serialised by the row lock. Every change is
 * published (`balance.updated` when the balance or currency changed, `account.closed` for a
 * delete) with the same ids a sync would give it.
 */
export class FinxAccountCommands {
  private readonly now: () => Date;

  constructor(private readonly options: FinxAccountCommandsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  create(input: CommandInput): Promise<CommandResult> {
    const request = parseBody(CreateAccountSchema, input.body);
    // Refused before the key is taken: an inexact balance is the caller's to correct.
    const balance = this.exactBalance(request.balance, request.currency);
    return this.run('create', null, input, async (signal) => {
      const created = await this.options.client.createAccount({ type: request.type, balance, currency: request.currency, ownerId: request.ownerId }, signal);
      return { status: 201, body: { account: this.viewOf(created.value) }, reflect: (context) => this.reflectAccount(created, context) };
    });
  }

  update(accountId: string, input: CommandInput): Promise<CommandResult> {
    const request = parseBody(UpdateAccountSchema, input.body);
    const balanceInNewCurrency = request.balance !== undefined && request.currency !== undefined ? this.exactBalance(request.balance, request.currency) : undefined;
    return this.run('update', accountId, input, async (signal) => {
      let balance = balanceInNewCurrency;
      if (request.balance !== undefined && balance === undefined) {
        // Without a new currency the balance is in the account's current one, which only Fin X knows for sure.
        balance = this.exactBalance(request.balance, (await this.options.client.account(accountId, signal)).value.currency);
      }
      const updated = await this.options.client.updateAccount(
        accountId,
        {
          ...(request.type === undefined ? {} : { type: request.type }),
          ...(request.currency === undefined ? {} : { currency: request.currency }),
          ...(balance === undefined ? {} : { balance }),
        },
        signal,
      );
      return { status: 200, body: { account: this.viewOf(updated.value) }, reflect: (context) => this.reflectAccount(updated, context) };
    });
  }

  delete(accountId: string, input: CommandInput): Promise<CommandResult> {
    const request = parseBody(DeleteAccountSchema, input.body ?? {});
    return this.run('delete', accountId, input, async (signal) => {
      await this.options.client.deleteAccount(accountId, signal);
      return {
        status: 200,
        body: { accountId, deleted: true },
        reflect: (context) => {
          const closed = accountClosed(accountId, context, request.reason);
          const record: ResourceRecord = { kind: RESOURCE_KINDS.closedAccount, id: accountId, data: { closure: 'deleted', detectedBy: 'command', eventId: closed.id } };
          return Promise.resolve({ events: [closed], records: [record] });
        },
      };
    });
  }

  private async run(operation: Operation, accountId: string | null, input: CommandInput, execute: (signal: AbortSignal | undefined) => Promise<Executed>): Promise<CommandResult> {
    const key = input.idempotencyKey;
    if (key === undefined || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ConnectorApiError('idempotency_key_required', 'an Idempotency-Key header of 1-255 printable ASCII characters is required');
    }
    const requestHash = createHash('sha256')
      .update(canonicalJson({ operation, accountId, body: storedJson(input.body ?? {}) }))
      .digest('hex');
    const client = await this.options.pool.connect();
    let executed: Executed;
    try {
      await client.query('BEGIN');
      const now = this.now();
      // Concurrent requests with one key block on the primary key, then on the row lock.
      await client.query(
        `INSERT INTO finx_account_commands (idempotency_key, operation, account_id, request_hash, state, correlation_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'started', $5, $6, $6)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [key, operation, accountId, requestHash, input.correlationId, now],
      );
      const row = (await client.query<CommandRow>('SELECT request_hash, operation, state, status, response FROM finx_account_commands WHERE idempotency_key = $1 FOR UPDATE', [key]))
        .rows[0];
      if (!row) throw new Error('the command row vanished inside its own transaction');
      if (row.request_hash !== requestHash) {
        await client.query('ROLLBACK');
        throw new ConnectorApiError('idempotency_conflict', 'this Idempotency-Key was used with a different request');
      }
      switch (row.state) {
        case 'completed':
          await client.query('COMMIT');
          return { status: 200, replayed: true, body: row.response ?? null };
        case 'refused':
          await client.query('COMMIT');
          throw storedRefusal(row.response);
        case 'unknown':
          await client.query('COMMIT');
          throw new ConnectorApiError(
            'idempotency_conflict',
            'an earlier request with this Idempotency-Key reached Fin X without an answer; Fin X keeps no idempotency key, so whether it created the account is unknown: look for it in GET /v1/accounts before retrying with a new key',
          );
        case 'started':
          executed = await this.execute(client, key, operation, execute, input.signal);
          break;
      }
      await client.query('COMMIT');
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.reflect(executed, input.correlationId, accountId);
    return { status: executed.status, replayed: false, body: executed.body };
  }

  /** Calls Fin X inside the row's transaction; a definitive refusal is stored so the key keeps answering it. */
  private async execute(
    client: PoolClient,
    key: string,
    operation: Operation,
    execute: (signal: AbortSignal | undefined) => Promise<Executed>,
    signal: AbortSignal | undefined,
  ): Promise<Executed> {
    try {
      const executed = await execute(signal);
      await client.query(`UPDATE finx_account_commands SET state = 'completed', status = $2, response = $3, updated_at = $4 WHERE idempotency_key = $1`, [
        key,
        executed.status,
        JSON.stringify(executed.body),
        this.now(),
      ]);
      return executed;
    } catch (error: unknown) {
      const refusal = refusalOf(error);
      if (refusal !== undefined) {
        await this.settle(client, key, 'refused', refusal.status, refusal.body());
        throw refusal;
      }
      if (error instanceof UpstreamError) {
        // A create that may have reached Fin X must not be sent again under this key: Fin X would make a second account.
        if (operation === 'create' && !failurePolicyOf(error.kind).certainlyNotProcessed) await this.settle(client, key, 'unknown', null, null);
        throw ConnectorApiError.fromUpstream(error);
      }
      throw error;
    }
  }

  private async settle(client: PoolClient, key: string, state: 'refused' | 'unknown', status: number | null, response: unknown): Promise<void> {
    await client.query(`UPDATE finx_account_commands SET state = $2, status = $3, response = $4, updated_at = $5 WHERE idempotency_key = $1`, [
      key,
      state,
      status,
      response === null ? null : JSON.stringify(response),
      this.now(),
    ]);
    await client.query('COMMIT');
  }

  /**
   * Publishes the change and remembers it. If Kafka is down the change is already done at Fin X:
   * the answer stays a success and the next sync publishes the same events (same ids), because
   * the kept balance moves only after publishing.
   */
  private async reflect(executed: Executed, correlationId: string, accountId: string | null): Promise<void> {
    const observedAt = this.now();
    try {
      const { events, records } = await executed.reflect({ observedAt, correlationId, source: 'command' });
      await this.options.publisher.publish(events);
      await this.options.resources.upsert(this.options.pool as SqlRunner, records, observedAt);
    } catch (error: unknown) {
      this.options.log.warn('a Fin X account change could not be published yet; the next sync publishes it', { accountId, error: describeError(error) });
    }
  }

  private reflectAccount(account: WithRaw<FinxAccount>, context: ObservationContext): Promise<{ events: FinmeshEvent[]; records: ResourceRecord[] }> {
    return observeAccounts([account], this.options.resources, this.options.assets, context, this.options.log);
  }

  /** The balance as the JSON number Fin X takes, exact in the currency, or a 400 that says why. */
  private exactBalance(balance: string, currency: string): number {
    try {
      return exactJsonNumber(moneyFromDecimal(balance, this.options.assets.assetOf(currency)));
    } catch (error: unknown) {
      if (!(error instanceof ContractError)) throw error;
      throw new ConnectorApiError('invalid_request', `balance refused: ${error.message}`, [{ path: 'balance', message: error.message }]);
    }
  }

  private viewOf(account: FinxAccount): AccountView {
    return {
      id: account.id,
      type: account.type,
      currency: account.currency,
      ownerId: account.owner_id,
      balance: balanceOf(account, this.options.assets),
      createdAt: isoOfUnixSeconds(account.created_at),
      updatedAt: isoOfUnixSeconds(account.updated_at),
    };
  }
}

function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ConnectorApiError(
    'invalid_request',
    'the request body is not valid',
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** The body as it is stored and hashed; the API parses JSON losslessly, so it already is lossless JSON. */
function storedJson(body: unknown): LosslessJsonValue {
  const parsed = LosslessJsonValueSchema.safeParse(body);
  if (!parsed.success) throw new ConnectorApiError('invalid_request', 'the request body must be JSON');
  return parsed.data;
}

/** A definitive answer worth keeping for the key: the caller's mistake, or Fin X refusing. */
function refusalOf(error: unknown): ConnectorApiError | undefined {
  if (error instanceof ConnectorApiError && error.code === 'invalid_request') return error;
  if (error instanceof UpstreamError && !error.retryable) return ConnectorApiError.fromUpstream(error);
  return undefined;
}

const StoredRefusalSchema = z.object({ error: z.object({ code: z.enum(CONNECTOR_API_ERROR_CODES), message: z.string(), details: z.unknown().optional() }) });

function storedRefusal(response: LosslessJsonValue | null): ConnectorApiError {
  const parsed = StoredRefusalSchema.safeParse(response);
  if (!parsed.success) return new ConnectorApiError('internal', 'the stored answer of this Idempotency-Key is unreadable');
  const { code, message, details } = parsed.data.error;
  return new ConnectorApiError(code, message, details);
}
