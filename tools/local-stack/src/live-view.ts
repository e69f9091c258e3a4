import type { StackSnapshot } from './monitor';
import { formatMinorUnits, type AccountComparison } from './reconcile';
import type { StepOutcome } from './scenario';

/** What the view shows besides the sampled snapshot. */
export interface ViewContext {
  kafka: string;
  postgres: string;
  urls: ReadonlyArray<{ label: string; url: string }>;
  /** Lines about apps that are not part of the stack yet. */
  notices: readonly string[];
  scenario: readonly StepOutcome[];
  /** How many balance rows to list (the per-provider summary always covers all). */
  maxAccounts: number;
  footer: string;
}

const STATE_MARK: Record<AccountComparison['state'], string> = {
  equal: '=',
  differs: '≠',
  missing: '…',
  'no-connector': '-',
  'ledger-only': '?',
  'out-of-scope': ' ',
};

/** The whole screen as text (pure, so the headless summary and tests render the same thing). */
export function renderView(snapshot: StackSnapshot, context: ViewContext): string {
  const lines: string[] = [];
  lines.push(`finmesh local stack — ${snapshot.at.toISOString()}`);
  lines.push(`  Kafka ${context.kafka}   PostgreSQL ${context.postgres}`);
  lines.push('');
  lines.push('SERVICES');
  for (const service of snapshot.services) {
    lines.push(`  ${pad(service.app, 18)} ${pad(service.state, 10)} ${service.url}${service.detail === undefined ? '' : `  (${service.detail})`}`);
  }
  for (const notice of context.notices) lines.push(`  ${notice}`);
  lines.push('');
  lines.push(`TOPICS ${pad('', 31)} events/s      total   DLQ`);
  for (const topic of snapshot.topics) {
    lines.push(`  ${pad(topic.topic, 36)} ${padLeft(topic.perSecond.toFixed(1), 8)} ${padLeft(String(topic.total), 10)} ${padLeft(String(topic.deadLettered), 5)}`);
  }
  lines.push('');
  lines.push(`BALANCES (ledger booked vs sandbox ground truth)   open discrepancies: ${snapshot.openDiscrepancies ?? '—'}`);
  const reconciliation = snapshot.reconciliation;
  if (reconciliation === undefined) {
    lines.push(`  not available: ${snapshot.reconciliationNote ?? 'no sample yet'}`);
  } else {
    for (const provider of reconciliation.providers) {
      const status = provider.connected
        ? `${provider.equal}/${provider.accounts - provider.outOfScope} equal${provider.differs > 0 ? `, ${provider.differs} differ` : ''}${provider.missing > 0 ? `, ${provider.missing} not in the ledger yet` : ''}${provider.ledgerOnly > 0 ? `, ${provider.ledgerOnly} unknown to the sandbox` : ''}${provider.outOfScope > 0 ? ` (${provider.outOfScope} more outside finmesh's access)` : ''}`
        : `${provider.accounts} accounts; no connector running — not available yet: connector-${provider.provider}`;
      lines.push(`  ${pad(provider.provider, 9)} ${status}`);
    }
    const shown = reconciliation.accounts.filter((account) => account.state !== 'no-connector' && account.state !== 'out-of-scope').slice(0, context.maxAccounts);
    for (const account of shown) {
      const truth = account.truth === undefined ? '—' : formatMinorUnits(account.truth, account.asset);
      const ledger = account.ledger === undefined ? '—' : formatMinorUnits(account.ledger, account.asset);
      lines.push(`    ${STATE_MARK[account.state]} ${pad(`${account.provider}:${account.accountId}`, 34)} ${pad(account.asset, 8)} ledger ${padLeft(ledger, 20)}  sandbox ${padLeft(truth, 20)}`);
    }
  }
  if (context.scenario.length > 0) {
    lines.push('');
    lines.push('SCENARIO');
    for (const outcome of context.scenario) lines.push(`  ${describeOutcome(outcome)}`);
  }
  lines.push('');
  lines.push('APIS');
  for (const url of context.urls) lines.push(`  ${pad(url.label, 24)} ${url.url}`);
  lines.push('');
  lines.push(context.footer);
  return lines.join('\n');
}

export function describeOutcome(outcome: StepOutcome): string {
  const mark = outcome.status === 'passed' ? 'ok  ' : outcome.status === 'failed' ? 'FAIL' : 'skip';
  return `${mark} ${outcome.step.title} — ${outcome.detail}`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padLeft(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}
