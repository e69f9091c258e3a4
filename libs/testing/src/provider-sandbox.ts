import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { killOnExit, stopChildProcess } from './app-process';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

export interface SandboxProcessOptions {
  /** Same seed and size → same data. */
  seed?: string;
  size?: 'tiny' | 'small' | 'medium' | 'large';
  /** `manual` (default here): time moves only through `admin.advanceClock`. */
  clock?: 'manual' | 'realtime';
  /** Random new transactions as the clock moves (default off here, so tests see only their own changes). */
  liveActivity?: boolean;
  /** More SANDBOX_* variables (see apps/provider-sandbox/README.md). */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface SandboxFaultSpec {
  provider: string;
  kind: 'latency' | 'error' | 'rate_limit' | 'timeout' | 'truncate' | 'malformed' | 'callback_duplicate' | 'callback_reorder' | 'callback_down';
  route?: string;
  httpMethod?: string;
  operation?: string;
  probability?: number;
  count?: number;
  latencyMs?: number;
  status?: number;
  retryAfterSeconds?: number;
  seed?: string;
}

export interface GroundTruthMoney {
  amount: string;
  asset: string;
}

export interface GroundTruthAccount {
  provider: string;
  accountId: string;
  references: Record<string, string>;
  asset: string;
  status: 'open' | 'closed';
  balance: GroundTruthMoney;
  available: GroundTruthMoney;
  onHold: GroundTruthMoney;
  transactionCount: number;
  transactions?: Array<{
    id: string;
    status: 'pending' | 'booked' | 'void';
    amount: GroundTruthMoney;
    kind: string;
    description: string;
    createdAt: string;
    settledAt?: string;
    references: Record<string, string>;
  }>;
}

/** The sandbox's admin API (`/_admin`): clock, ground truth, faults, provider scenarios. */
export class SandboxAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  advanceClock(by: { ms: number } | { seconds: number } | { to: string }): Promise<{ now: string; tasksRun: number }> {
    return this.call('POST', '/clock/advance', by);
  }

  clock(): Promise<{ now: string; mode: string; pendingTasks: number }> {
    return this.call('GET', '/clock');
  }

  async groundTruth(provider: string, options: { account?: string; transactions?: boolean } = {}): Promise<GroundTruthAccount[]> {
    const query = new URLSearchParams({ provider });
    if (options.account !== undefined) query.set('account', options.account);
    if (options.transactions !== undefined) query.set('transactions', String(options.transactions));
    const body = await this.call<{ providers: Record<string, GroundTruthAccount[] | undefined> }>('GET', `/ground-truth?${query.toString()}`);
    return body.providers[provider] ?? [];
  }

  addFault(spec: SandboxFaultSpec): Promise<{ id: string; fired: number }> {
    return this.call('POST', '/faults', spec);
  }

  async faults(): Promise<Array<{ id: string; fired: number; kind: string }>> {
    return (await this.call<{ faults: Array<{ id: string; fired: number; kind: string }> }>('GET', '/faults')).faults;
  }

  async clearFaults(provider?: string): Promise<void> {
    await this.call('DELETE', provider === undefined ? '/faults' : `/faults?provider=${encodeURIComponent(provider)}`);
  }

  /** A provider's own admin control, e.g. `('PUT', '/indx/scenario', { wireOutcome: 'fail' })`. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_admin${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

export interface SandboxProcess {
  url: string;
  /** Base URL per provider, e.g. `baseUrls.indx` = `http://127.0.0.1:NNNN/indx`. */
  baseUrls: Record<string, string>;
  admin: SandboxAdmin;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts apps/provider-sandbox as a child process (apps cannot import apps) on a free port and
 * waits for its ready line. Other projects' integration tests use it as the providers' real HTTP
 * servers; `stop()` ends it.
 */
export async function startProviderSandbox(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const adminToken = options.env?.['SANDBOX_ADMIN_TOKEN'] ?? 'sandbox-admin-token';
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', 'provider-sandbox', 'src', 'main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SANDBOX_CLOCK: options.clock ?? 'manual',
      SANDBOX_SIZE: options.size ?? 'tiny',
      SANDBOX_SEED: options.seed ?? 'finmesh-test',
      SANDBOX_LIVE_ACTIVITY: String(options.liveActivity ?? false),
      SANDBOX_ADMIN_TOKEN: adminToken,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4_000);
  });
  const ready = await new Promise<{ url: string; baseUrls: Record<string, string> }>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the provider sandbox did not get ready in time: ${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { event?: string; url?: string; baseUrls?: Record<string, string> };
        if (parsed.event === 'sandbox.ready' && parsed.url !== undefined && parsed.baseUrls !== undefined) {
          clearTimeout(timer);
          resolvePromise({ url: parsed.url, baseUrls: parsed.baseUrls });
        }
      } catch {
        // Not a JSON line: nothing the ready check needs.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider sandbox exited (${String(code)}) before it was ready: ${stderr}`));
    });
  });
  return {
    ...ready,
    admin: new SandboxAdmin(ready.url, adminToken),
    child,
    stop: () => stopChildProcess(child),
  };
}
