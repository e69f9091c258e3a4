import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { withFileLock } from './file-lock';

/** The Kafka release fetched from Maven Central; keep in step with tools/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.2';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const POM = join(WORKSPACE_ROOT, 'tools', 'kafka', 'pom.xml');

export interface BrokerOptions {
  /** PLAINTEXT listener port on 127.0.0.1. */
  port: number;
  /** KRaft controller listener port; defaults to port + 1. */
  controllerPort?: number;
  /** Where this node keeps its config, log segments, pid and log file. */
  dataDir: string;
  /** Start from empty storage (tests); ignored when an already running broker is reused. */
  fresh?: boolean;
  heapMb?: number;
  /** How long to wait for the broker to answer metadata requests. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface BrokerHandle {
  /** Comma-separated bootstrap servers, as KAFKA_BROKERS expects them. */
  brokers: string;
  /** True when this call started the process (so the caller owns stopping it). */
  startedHere: boolean;
  /** True when KAFKA_BROKERS pointed at an existing cluster and nothing local is involved. */
  external: boolean;
  pid?: number;
}

/** The cache of broker jars shared by every data dir; git-ignored. */
export function kafkaLibsDir(): string {
  return join(WORKSPACE_ROOT, '.cache', 'kafka', `kafka-${KAFKA_VERSION}`, 'libs');
}

/**
 * Makes sure a broker is reachable and returns its address: the cluster named by KAFKA_BROKERS if
 * set, else a broker already running on the port, else a new single-node KRaft broker started from
 * the jars Maven fetched. Safe to call concurrently and repeatedly.
 */
export async function ensureBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const external = process.env['KAFKA_BROKERS'];
  if (external && external.trim() !== '') {
    return { brokers: external.trim(), startedHere: false, external: true };
  }
  const log = options.log ?? (() => undefined);
  const brokers = `127.0.0.1:${options.port}`;
  mkdirSync(options.dataDir, { recursive: true });

  return withFileLock(join(options.dataDir, '.provision.lock'), async () => {
    if (await isBrokerReady(brokers, 3_000)) {
      log(`kafka: reusing the broker already running at ${brokers}`);
      return { brokers, startedHere: false, external: false, pid: readPid(options.dataDir) };
    }
    if (await isPortOpen(options.port)) {
      throw new Error(
        `kafka: port ${options.port} is taken by something that does not answer as a Kafka broker; ` +
          `free it or choose another port`,
      );
    }
    await fetchBrokerJars(log);
    const pid = startProcess(options, log);
    await waitUntilReady(brokers, pid, options, log);
    log(`kafka: broker ${KAFKA_VERSION} ready at ${brokers} (pid ${pid})`);
    return { brokers, startedHere: true, external: false, pid };
  });
}

/** Stops the broker whose pid file is in dataDir and waits until its port is free again. */
export async function stopBroker(options: Pick<BrokerOptions, 'dataDir' | 'port' | 'log'>): Promise<boolean> {
  const log = options.log ?? (() => undefined);
  const pid = readPid(options.dataDir);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile(options.dataDir), { force: true });
    log('kafka: no broker running from this data dir');
    return false;
  }
  process.kill(pid, 'SIGTERM');
  // A KRaft single node needs a few seconds for its controlled shutdown.
  const stopped = await waitFor(() => !isAlive(pid), 45_000);
  if (!stopped) {
    log(`kafka: pid ${pid} ignored SIGTERM for 45 s, killing it`);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 10_000);
  }
  await waitFor(async () => !(await isPortOpen(options.port)), 15_000);
  rmSync(pidFile(options.dataDir), { force: true });
  log(`kafka: broker pid ${pid} stopped`);
  return true;
}

export async function brokerStatus(options: Pick<BrokerOptions, 'dataDir' | 'port'>): Promise<{
  running: boolean;
  ready: boolean;
  pid?: number;
}> {
  const pid = readPid(options.dataDir);
  const running = pid !== undefined && isAlive(pid);
  const ready = await isBrokerReady(`127.0.0.1:${options.port}`, 3_000);
  return { running, ready, pid: running ? pid : undefined };
}

async function fetchBrokerJars(log: (line: string) => void): Promise<void> {
  const libs = kafkaLibsDir();
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return;
  await withFileLock(join(WORKSPACE_ROOT, '.cache', 'kafka', '.fetch.lock'), () => {
    if (existsSync(marker)) return Promise.resolve();
    log(`kafka: fetching Apache Kafka ${KAFKA_VERSION} from Maven Central (once)`);
    rmSync(libs, { recursive: true, force: true });
    mkdirSync(libs, { recursive: true });
    const mvn = spawnSync(
      'mvn',
      ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (mvn.error) {
      throw new Error(`kafka: could not run Maven (is it installed?): ${mvn.error.message}`);
    }
    if (mvn.status !== 0) {
      throw new Error(`kafka: Maven could not fetch the broker (exit ${String(mvn.status)}):\n${mvn.stdout}${mvn.stderr}`);
    }
    writeFileSync(marker, `${KAFKA_VERSION}\n`);
    return Promise.resolve();
  });
}

function startProcess(options: BrokerOptions, log: (line: string) => void): number {
  const dataDir = resolve(options.dataDir);
  const controllerPort = options.controllerPort ?? options.port + 1;
  const logDirs = join(dataDir, 'data');
  if (options.fresh) {
    rmSync(logDirs, { recursive: true, force: true });
  }
  mkdirSync(logDirs, { recursive: true });
  const propertiesPath = join(dataDir, 'server.properties');
  writeFileSync(propertiesPath, serverProperties(options.port, controllerPort, logDirs));
  const log4jPath = join(dataDir, 'log4j.properties');
  writeFileSync(log4jPath, log4jProperties(join(dataDir, 'broker.log')));

  const classpath = `${kafkaLibsDir()}/*`;
  if (!existsSync(join(logDirs, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    const format = spawnSync(
      'java',
      ['-cp', classpath, `-Dlog4j.configuration=file:${log4jPath}`, 'kafka.tools.StorageTool', 'format',
        '--cluster-id', clusterId, '--config', propertiesPath, '--ignore-formatted'],
      { encoding: 'utf8' },
    );
    if (format.error) throw new Error(`kafka: could not run java (is a JDK 17+ installed?): ${format.error.message}`);
    if (format.status !== 0) {
      throw new Error(`kafka: formatting the storage failed:\n${format.stdout}${format.stderr}`);
    }
    log(`kafka: formatted storage in ${logDirs}`);
  }

  const out = openSync(join(dataDir, 'broker.out'), 'a');
  const heap = options.heapMb ?? 512;
  const child = spawn(
    'java',
    [`-Xms${Math.min(256, heap)}m`, `-Xmx${heap}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4jPath}`,
      '-cp', classpath, 'kafka.Kafka', propertiesPath],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error('kafka: the broker process did not start');
  writeFileSync(pidFile(dataDir), `${child.pid}\n`);
  return child.pid;
}

async function waitUntilReady(brokers: string, pid: number, options: BrokerOptions, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new Error(`kafka: the broker exited during startup; last log lines:\n${tail(join(options.dataDir, 'broker.log'))}${tail(join(options.dataDir, 'broker.out'))}`);
    }
    if (await isBrokerReady(brokers, 2_000)) return;
    await sleep(500);
  }
  log('kafka: the broker did not become ready in time; stopping it');
  process.kill(pid, 'SIGKILL');
  throw new Error(`kafka: not ready at ${brokers} in time; last log lines:\n${tail(join(options.dataDir, 'broker.log'))}`);
}

/** True when a broker answers a metadata request (not merely accepts TCP). */
export async function isBrokerReady(brokers: string, timeoutMs: number): Promise<boolean> {
  const hosts = brokers.split(',').map((b) => b.trim());
  if (hosts.length === 1) {
    const [host, port] = splitHostPort(hosts[0] ?? '');
    if (!(await isPortOpen(port, host))) return false;
  }
  const kafka = new Kafka({
    clientId: 'finmesh-readiness',
    brokers: hosts,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function serverProperties(port: number, controllerPort: number, logDirs: string): string {
  return [
    '# Generated by tools/kafka: a single-node KRaft broker for tests and local runs.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDirs}`,
    // Topics are provisioned explicitly from the topic registry, as in production.
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    'log.segment.bytes=67108864',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

function log4jProperties(file: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ].join('\n');
}

function pidFile(dataDir: string): string {
  return join(dataDir, 'broker.pid');
}

function readPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile(dataDir), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function splitHostPort(hostPort: string): [string, number] {
  const index = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, index), Number.parseInt(hostPort.slice(index + 1), 10)];
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(200);
  }
  return condition();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
