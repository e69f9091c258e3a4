// Integration test, real parts: a second, private KRaft broker started from the Maven-fetched jars.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerStatus, ensureBroker, isPortOpen, stopBroker } from './broker';

describe('the local Kafka broker scripts', () => {
  const port = 19192;
  const dataDir = mkdtempSync(join(tmpdir(), 'finmesh-broker-test-'));
  const savedBrokers = process.env['KAFKA_BROKERS'];

  beforeAll(() => {
    // This test is about starting a broker, so it must not be pointed at the run's shared one.
    delete process.env['KAFKA_BROKERS'];
  });

  afterAll(async () => {
    process.env['KAFKA_BROKERS'] = savedBrokers;
    await stopBroker({ port, dataDir });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts once, reuses the running broker, stops cleanly and frees its port', async () => {
    const first = await ensureBroker({ port, dataDir, fresh: true });
    expect(first).toMatchObject({ brokers: `127.0.0.1:${port}`, startedHere: true, external: false });

    const second = await ensureBroker({ port, dataDir });
    expect(second).toMatchObject({ startedHere: false, pid: first.pid });
    expect(await brokerStatus({ port, dataDir })).toEqual({ running: true, ready: true, pid: first.pid });

    expect(await stopBroker({ port, dataDir })).toBe(true);
    expect(await isPortOpen(port)).toBe(false);
    expect(await brokerStatus({ port, dataDir })).toEqual({ running: false, ready: false, pid: undefined });

    // Stopping again is harmless.
    expect(await stopBroker({ port, dataDir })).toBe(false);
  }, 180_000);

  it('uses the cluster named by KAFKA_BROKERS and starts nothing', async () => {
    process.env['KAFKA_BROKERS'] = 'kafka-0.example:9092';
    try {
      expect(await ensureBroker({ port, dataDir })).toEqual({
        brokers: 'kafka-0.example:9092',
        startedHere: false,
        external: true,
      });
      expect(await isPortOpen(port)).toBe(false);
    } finally {
      delete process.env['KAFKA_BROKERS'];
    }
  });
});
