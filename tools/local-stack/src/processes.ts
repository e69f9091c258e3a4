import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The stack's child processes (the sandbox, the services, an embedded PostgreSQL). Each runs in
 * its own process group, so Ctrl-C reaches `npm start` alone and it stops them in order; output
 * goes to `.finmesh/logs/<name>.log`; a pid file lets the next run stop what a crashed run left.
 */
export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  logDir: string;
  runDir: string;
}

export class ManagedProcess {
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
    private readonly pidFile: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : -1);
        rmSync(this.pidFile, { force: true });
        resolveExit();
      });
    });
  }

  static start(options: ManagedProcessOptions, onStdoutLine?: (line: string) => void): ManagedProcess {
    mkdirSync(options.logDir, { recursive: true });
    mkdirSync(options.runDir, { recursive: true });
    const pidFile = join(options.runDir, `${options.name}.pid`);
    const logFile = join(options.logDir, `${options.name}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', onStdoutLine === undefined ? log : 'pipe', log],
    });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`${options.name} did not start`);
    writeFileSync(pidFile, `${child.pid}\n${options.args.join(' ')}\n`);
    if (onStdoutLine !== undefined && child.stdout !== null) {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        writeFileSync(logFile, text, { flag: 'a' });
        buffered += text;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          onStdoutLine(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      });
    }
    return new ManagedProcess(options.name, child, logFile, pidFile);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the exit code once the process has ended. */
  async waitForExit(): Promise<number | null | undefined> {
    await this.exited;
    return this.exitCode;
  }

  /** SIGTERM, then SIGKILL if it has not ended within the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 20): string {
    return tailOf(this.logFile, lines);
  }
}

export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

/**
 * Stops a process a previous run left behind (its pid file is still there and the process runs
 * the same command line). Returns the pid it stopped.
 */
export async function stopLeftover(runDir: string, name: string): Promise<number | undefined> {
  const pidFile = join(runDir, `${name}.pid`);
  if (!existsSync(pidFile)) return undefined;
  const [pidText, commandLine] = readFileSync(pidFile, 'utf8').split('\n');
  rmSync(pidFile, { force: true });
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const actual = readCommandLine(pid);
  if (commandLine === undefined || actual === undefined || !actual.includes(commandLine)) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}
