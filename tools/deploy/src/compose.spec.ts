import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configErrorOf, databaseUrlVariable, SERVICES, variablesNamed } from '@finmesh/tools-local-stack';
import { composeSchemaErrors, interpolate, loadCompose, parseEnvFile, type ComposeService } from './compose';

const ROOT = resolve(__dirname, '..', '..', '..');
const INFRASTRUCTURE = ['kafka', 'postgres'];
const PROVISION_ENTRY = 'tools/local-stack/src/provision/provision-main.ts';

describe('docker-compose.yml', () => {
  const { compose, used } = loadCompose(join(ROOT, 'docker-compose.yml'), join(ROOT, '.env.example'));
  const services = compose.services;
  const appOf = (name: string): string | undefined => services[name]?.build?.args?.['APP'];

  it('is valid against the Compose specification schema (and the check does reject a broken file)', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
    const broken = structuredClone(compose);
    (broken.services['ledger'] as Record<string, unknown>)['depends_on'] = { provision: { condition: 'when_ready' } };
    (broken.services['kafka'] as Record<string, unknown>)['healthcheck'] = { test: 'x', intervall: '5s' };
    expect(composeSchemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('runs every app of the registry once, built from this Dockerfile, beside Kafka, PostgreSQL and the provisioning job', () => {
    const apps = Object.keys(services).filter((name) => !INFRASTRUCTURE.includes(name));
    for (const name of apps) {
      expect(services[name]?.build?.context).toBe('.');
      expect(appOf(name)).toBe(name);
    }
    expect(apps.filter((name) => name !== 'provision').sort()).toEqual(SERVICES.map((service) => service.app).sort());
    expect(services['kafka']?.image).toMatch(/^apache\/kafka:\d/);
    expect(services['postgres']?.image).toMatch(/^postgres:\d/);
  });

  it('takes every variable from .env.example, which holds nothing unused', () => {
    const example = parseEnvFile(readFileSync(join(ROOT, '.env.example'), 'utf8'));
    expect([...used].filter((name) => !example.has(name))).toEqual([]);
    expect([...example.keys()].filter((name) => !used.has(name))).toEqual([]);
    expect(() => interpolate('${NOT_SET:?set it}', new Map(), new Set())).toThrow(/NOT_SET is required/);
  });

  it('gives every service a health check, and starts services only once what they need is healthy or done', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'provision') continue;
      expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
    }
    expect(services['provision']?.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    expect(services['provision']?.restart).toBe('no');
    for (const service of SERVICES.filter((candidate) => candidate.role !== 'sandbox')) {
      expect(services[service.app]?.depends_on?.['provision']).toEqual({ condition: 'service_completed_successfully' });
    }
    for (const service of SERVICES.filter((candidate) => candidate.role === 'connector')) {
      expect(services[service.app]?.depends_on?.['provider-sandbox']).toEqual({ condition: 'service_healthy' });
    }
  });

  it('publishes the ingress and the read APIs only, and runs finmesh containers read-only', () => {
    const published = Object.entries(services).filter(([, service]) => (service.ports ?? []).length > 0).map(([name]) => name).sort();
    const allowed = SERVICES.filter((service) => service.exposure === 'public' || service.exposure === 'read-api').map((service) => service.app).sort();
    expect(published).toEqual(allowed);
    expect(published).toContain('ingress');
    for (const service of SERVICES) expect(services[service.app]?.read_only).toBe(true);
  });

  it('keeps the provider sandbox\'s state file on a named volume (the root filesystem is read-only)', () => {
    const sandbox = services['provider-sandbox'];
    const stateFile = sandbox?.environment?.['SANDBOX_STATE_FILE'] ?? '';
    const mounts = (sandbox?.volumes ?? []).map((mount) => mount.split(':')).filter((parts) => parts.length >= 2);
    const holder = mounts.find(([, target]) => target !== undefined && stateFile.startsWith(`${target}/`));
    expect(holder).toBeDefined();
    expect(Object.keys((compose as { volumes?: Record<string, unknown> }).volumes ?? {})).toContain(holder?.[0]);
  });

  it('sets every variable each app requires, and the provisioning job has every service database', () => {
    for (const service of SERVICES) {
      const environment = services[service.app]?.environment ?? {};
      expect(service.requiredEnv.filter((name) => environment[name] === undefined || environment[name] === '')).toEqual([]);
    }
    const provision = services['provision']?.environment ?? {};
    for (const service of SERVICES.filter((candidate) => candidate.database !== undefined)) {
      const url = provision[databaseUrlVariable(service)];
      expect(url).toBeDefined();
      expect(url).toBe((services[service.app] as ComposeService).environment?.['DATABASE_URL']);
    }
  });

  // Each app reads the environment compose gives it with its own schema: with PORT made invalid on
  // purpose, PORT must be the only variable it complains about.
  it.each([...SERVICES.map((service) => service.app), 'provision'])('%s accepts its compose environment', async (name) => {
    const environment = { ...(services[name]?.environment ?? {}) };
    const sentinel = name === 'provision' ? 'KAFKA_REPLICATION_FACTOR' : 'PORT';
    environment[sentinel] = 'not-a-number';
    const { code, output } = await configErrorOf(name === 'provision' ? PROVISION_ENTRY : name, environment);
    expect(code).not.toBe(0);
    expect(variablesNamed(output)).toEqual([sentinel]);
  }, 30_000);
});
