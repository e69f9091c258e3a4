import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROVIDERS } from '@finmesh/schemas';
import { databaseUrlVariable, loadMigrations } from './provision/provision';
import { SCENARIO } from './scenario';
import { EXCLUDED_APPS, SERVICES, startOrder } from './service-registry';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

describe('the service registry', () => {
  it('lists every folder of apps/ or excludes it with a reason', () => {
    const apps = readdirSync(join(WORKSPACE_ROOT, 'apps'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const unlisted = apps.filter((app) => !SERVICES.some((service) => service.app === app) && EXCLUDED_APPS[app] === undefined);
    expect(unlisted).toEqual([]);
    for (const reason of Object.values(EXCLUDED_APPS)) expect(reason.length).toBeGreaterThan(10);
  });

  it('names only apps that exist, each with a main.ts, unique ports and unique database names', () => {
    for (const service of SERVICES) {
      expect(existsSync(join(WORKSPACE_ROOT, 'apps', service.app, 'src', 'main.ts'))).toBe(true);
      expect(EXCLUDED_APPS[service.app]).toBeUndefined();
    }
    const ports = SERVICES.flatMap((service) => [service.port, ...(service.adminPort === undefined ? [] : [service.adminPort])]);
    expect(new Set(ports).size).toBe(ports.length);
    const databases = SERVICES.flatMap((service) => (service.database === undefined ? [] : [service.database.name]));
    expect(new Set(databases).size).toBe(databases.length);
  });

  it('declares every required variable that is a secret as one, and DATABASE_URL wherever a database is used', () => {
    for (const service of SERVICES) {
      if (service.database !== undefined) {
        expect(service.requiredEnv).toContain('DATABASE_URL');
        expect(service.secretEnv).toContain('DATABASE_URL');
      }
    }
  });

  it('finds each service’s migrations where the registry says (the provisioning job applies them)', () => {
    for (const service of SERVICES.filter((candidate) => candidate.database !== undefined)) {
      const migrations = loadMigrations(service);
      expect(migrations.length).toBeGreaterThan(0);
      expect(databaseUrlVariable(service)).toMatch(/^[A-Z_]+_DATABASE_URL$/);
    }
  });

  it('starts the provider sandbox first and every service after the ones it waits for', () => {
    const order = startOrder().map((service) => service.app);
    expect(order[0]).toBe('provider-sandbox');
    for (const service of SERVICES) {
      for (const dependency of service.startAfter) expect(order.indexOf(dependency)).toBeLessThan(order.indexOf(service.app));
    }
  });
});

describe('the scenario', () => {
  const known = new Set([...SERVICES.map((service) => service.app), ...PROVIDERS.map((provider) => `connector-${provider}`)]);

  it('names only apps of the registry or the connectors that are planned', () => {
    for (const step of SCENARIO) for (const app of step.requires) expect(known.has(app)).toBe(true);
  });

  it('has an implementation for every step whose apps are all in the registry', () => {
    const available = new Set(SERVICES.map((service) => service.app));
    const runnable = SCENARIO.filter((step) => step.requires.every((app) => available.has(app)));
    expect(runnable.filter((step) => step.run === undefined).map((step) => step.id)).toEqual([]);
  });

  it('covers syncs, a SEPA payment with SCA, an Indodax withdrawal with its callback and a FinDIGI approval', () => {
    const ids = SCENARIO.map((step) => step.id);
    expect(ids).toEqual(expect.arrayContaining(['sync-indx', 'indexo-sepa-sca', 'indodax-withdrawal', 'findigi-approval']));
  });
});
