// Test of the connector generator. Real parts: the file system (a directory under tmp/ of the
// workspace), the TypeScript compiler and Jest run as child processes on the generated code.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateConnector, GeneratorInputError, pascalCase } from './generate';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const run = promisify(execFile);

describe('the connector generator', () => {
  const outputRoot = join(WORKSPACE_ROOT, 'tmp', `connector-generator-${randomBytes(4).toString('hex')}`);
  const generate = (name: string, extra: { provider?: string; payments?: string; callbacks?: boolean } = {}): ReturnType<typeof generateConnector> =>
    generateConnector({ name, provider: extra.provider ?? name, workspaceRoot: WORKSPACE_ROOT, outputRoot, ...extra });
  let full: ReturnType<typeof generateConnector>;
  let minimal: ReturnType<typeof generateConnector>;

  beforeAll(() => {
    full = generate('findigi', { callbacks: true });
    minimal = generate('finx');
  });

  afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

  it('writes the standard file set, with payments and callbacks only when the connector has them', () => {
    expect(full.files).toEqual([
      'jest.config.cjs',
      'project.json',
      'src/callbacks.ts',
      'src/client.ts',
      'src/config.spec.ts',
      'src/config.ts',
      'src/connector.ts',
      'src/findigi-app.ts',
      'src/main.ts',
      'src/normalize.spec.ts',
      'src/normalize.ts',
      'src/payments.ts',
      'src/sync.ts',
      'tsconfig.json',
    ]);
    expect(full.capabilities).toEqual(['fetch_accounts', 'fetch_balances', 'initiate_payment', 'poll_payment_status', 'translate_callbacks']);
    // Fin X has no payment statuses in the contract: no payments, no callbacks.
    expect(minimal.files).not.toContain('src/payments.ts');
    expect(minimal.files).not.toContain('src/callbacks.ts');
    expect(minimal.capabilities).toEqual(['fetch_accounts', 'fetch_balances']);
  });

  it('substitutes every name and leaves no placeholder or template directive behind', () => {
    for (const generated of [full, minimal]) {
      for (const file of generated.files) {
        const text = readFileSync(join(generated.directory, file), 'utf8');
        expect({ file, leftovers: text.match(/__[A-Za-z]+__|\/\/#(if|else|endif)/g) }).toEqual({ file, leftovers: null });
      }
    }
    const project = JSON.parse(readFileSync(join(full.directory, 'project.json'), 'utf8')) as { name: string; tags: string[] };
    expect(project).toMatchObject({ name: 'connector-findigi', tags: ['type:app', 'scope:connector'] });
    const connector = readFileSync(join(full.directory, 'src/connector.ts'), 'utf8');
    expect(connector).toContain("capabilities: ['fetch_accounts', 'fetch_balances', 'initiate_payment', 'poll_payment_status', 'translate_callbacks']");
    expect(connector).toContain('export function createFindigiConnector(');
    expect(readFileSync(join(full.directory, 'src/normalize.ts'), 'utf8')).toContain("scheme: 'findigi.transfer'");
    expect(readFileSync(join(minimal.directory, 'src/connector.ts'), 'utf8')).not.toContain('payments');
    expect(readFileSync(join(full.directory, 'tsconfig.json'), 'utf8')).toContain('"extends": "../../../../tsconfig.base.json"');
    expect(pascalCase('fin-x')).toBe('FinX');
  });

  it('produces code that type-checks against the workspace libraries', async () => {
    // tsconfig.base.json excludes tmp/, where the test writes: one config of its own covers both projects.
    const tsconfig = join(outputRoot, 'tsconfig.check.json');
    writeFileSync(tsconfig, JSON.stringify({ extends: join(WORKSPACE_ROOT, 'tsconfig.base.json'), compilerOptions: { types: ['node', 'jest'] }, include: ['apps/*/src/**/*.ts'], exclude: [] }));
    await expect(run(process.execPath, [join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig, '--noEmit'], { cwd: WORKSPACE_ROOT })).resolves.toBeDefined();
  }, 120_000);

  it('produces tests that run and pass', async () => {
    const { stderr } = await run(process.execPath, [join(WORKSPACE_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', join(full.directory, 'jest.config.cjs'), '--ci'], {
      cwd: WORKSPACE_ROOT,
      env: process.env,
    });
    // Nx forces colours on; the summary is read without them.
    // eslint-disable-next-line no-control-regex -- ANSI colour codes are control sequences
    expect(stderr.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests:\s+4 passed, 4 total/);
  }, 120_000);

  it('refuses names, providers and options that cannot make a connector, and never overwrites one', () => {
    expect(() => generate('Bad Name')).toThrow(GeneratorInputError);
    expect(() => generate('acme')).toThrow(/not a provider of the event contract/);
    expect(() => generate('finx-2', { provider: 'finx', callbacks: true })).toThrow(/--callbacks needs payments/);
    expect(() => generate('indx-2', { provider: 'indx', payments: 'indexo.iso20022' })).toThrow(/not a status scheme of indx/);
    expect(() => generate('findigi')).toThrow(/already exists/);
    mkdirSync(join(outputRoot, 'apps', 'connector-indexo'), { recursive: true });
    expect(() => generate('indexo')).toThrow(/never overwrites/);
  });
});
