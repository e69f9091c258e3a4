import { configErrorOf, variablesNamed } from './app-config-probe';
import { SERVICES } from './service-registry';

describe('requiredEnv in the registry matches the apps (each started with an empty environment)', () => {
  it.each(SERVICES.map((service) => [service.app, service] as const))('%s', async (_app, service) => {
    // An invalid PORT makes an app with nothing required stop too, so its report can be read.
    const { code, output } = await configErrorOf(service.app, { PORT: 'not-a-port' });
    expect(code).not.toBe(0);
    expect(variablesNamed(output)).toEqual([...service.requiredEnv, 'PORT'].sort());
  });
});
