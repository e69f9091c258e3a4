import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateConnector, GeneratorInputError } from './generate';

const USAGE = `usage: npm run generate:connector -- --name <name> [--provider <provider>] [--payments <status scheme>|none] [--callbacks] [--port <port>]

Scaffolds apps/connector-<name> with the standard connector file set (config, client, sync,
normalize, payments, callbacks, connector, app, main and real tests). --provider defaults to
--name; --payments defaults to the provider's first status scheme in libs/schemas.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      provider: { type: 'string' },
      payments: { type: 'string' },
      callbacks: { type: 'boolean', default: false },
      port: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || values.name === undefined) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const workspaceRoot = resolve(__dirname, '..', '..', '..');
  const generated = generateConnector({
    name: values.name,
    provider: values.provider ?? values.name,
    workspaceRoot,
    callbacks: values.callbacks,
    ...(values.payments === undefined ? {} : { payments: values.payments }),
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
  });
  console.log(`created ${generated.directory} (${generated.capabilities.join(', ')}):`);
  for (const file of generated.files) console.log(`  ${file}`);
  console.log(`next: docs/connectors.md — adapt client.ts to the provider's API, then
  NX_DAEMON=false npx nx run-many -t lint typecheck test -p connector-${values.name} --outputStyle=static`);
}

try {
  main();
} catch (error: unknown) {
  console.error(error instanceof GeneratorInputError ? error.message : error);
  process.exit(error instanceof GeneratorInputError ? 2 : 1);
}
