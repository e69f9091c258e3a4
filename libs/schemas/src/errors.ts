/**
 * Every error this library throws is a ContractError with a code, so a consumer can decide with an
 * exhaustive switch whether a message goes to the DLQ or is retried. No message ever contains a
 * field value that could be a secret: validation issues name paths and rules, not inputs.
 */
export type ContractErrorCode =
  /** An event failed its schema or a cross-field rule (produce or consume side). */
  | 'invalid_event'
  /** Text or bytes that are not valid UTF-8 JSON. */
  | 'invalid_json'
  /** A decimal string or number that cannot be converted into Money exactly. */
  | 'invalid_amount'
  /** A value with more decimals than the asset's precision (never rounded). */
  | 'precision_exceeded'
  /** A JS number that a float may already have altered. */
  | 'unsafe_number'
  /** An asset string that is not `<CODE>/<precision>`, or two different assets mixed. */
  | 'invalid_asset'
  | 'asset_mismatch'
  /** A provider's raw status that the mapping tables do not know. */
  | 'unknown_provider_status'
  /** A topic name, prefix or header that the registry cannot accept. */
  | 'invalid_topic'
  | 'invalid_header';

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Dotted path into the event, e.g. `data.available.amount`; empty for the event itself. */
  path: string;
  message: string;
}

export type ValidationStage = 'produce' | 'consume';

/**
 * The one error of `validateForProduce`, `createEvent` and `parseConsumedEvent`. `reason` is what
 * goes into the DLQ reason header: the stage, the topic if known, then every issue as `path: message`.
 */
export class EventValidationError extends ContractError {
  readonly reason: string;

  constructor(
    readonly stage: ValidationStage,
    readonly issues: readonly ValidationIssue[],
    readonly topic?: string,
  ) {
    const reason = formatReason(stage, issues, topic);
    super('invalid_event', reason);
    this.reason = reason;
  }
}

function formatReason(stage: ValidationStage, issues: readonly ValidationIssue[], topic: string | undefined): string {
  const where = topic === undefined ? '' : ` on ${topic}`;
  const listed = issues.map((issue) => `${issue.path === '' ? '(event)' : issue.path}: ${issue.message}`).join('; ');
  return `event rejected at ${stage}${where}: ${listed}`;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const segment of path) {
    if (typeof segment === 'number') formatted += `[${segment}]`;
    else formatted += formatted === '' ? String(segment) : `.${String(segment)}`;
  }
  return formatted;
}
