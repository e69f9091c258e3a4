import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROVIDERS, statusSchemesOf, STATUS_SCHEMES, type Provider, type StatusSchemeName } from '@finmesh/schemas';

export const TEMPLATES_DIR = resolve(__dirname, '..', 'templates');

export interface GenerateOptions {
  /** The connector's name: `apps/connector-<name>`, lower-case letters, digits and dashes. */
  name: string;
  /** The provider its events carry (one of the contract's providers). */
  provider: string;
  /** The workspace whose tsconfig.base.json and jest preset the new project uses. */
  workspaceRoot: string;
  /** Where `apps/connector-<name>` is written; the workspace root unless given (tests write elsewhere). */
  outputRoot?: string;
  port?: number;
  /** The raw status scheme of the provider's payments, or `none` for a connector without payments. Default: the provider's first scheme. */
  payments?: string;
  /** Declare translate_callbacks (the ingress's verified callbacks become payment updates). Needs payments. */
  callbacks?: boolean;
}

export interface GeneratedConnector {
  directory: string;
  /** Paths relative to the project directory. */
  files: string[];
  capabilities: string[];
}

export class GeneratorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorInputError';
  }
}

interface Substitutions {
  flags: { payments: boolean; callbacks: boolean };
  values: Record<string, string>;
}

/** Writes a new connector app from the templates, names substituted; refuses to touch an existing directory. */
export function generateConnector(options: GenerateOptions): GeneratedConnector {
  const name = options.name;
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name) || name.endsWith('-')) {
    throw new GeneratorInputError(`--name "${name}" must be lower-case letters, digits and dashes, starting with a letter`);
  }
  if (!(PROVIDERS as readonly string[]).includes(options.provider)) {
    throw new GeneratorInputError(`--provider "${options.provider}" is not a provider of the event contract (${PROVIDERS.join(', ')}); add it to libs/schemas first`);
  }
  const provider = options.provider as Provider;
  const scheme = paymentScheme(provider, options.payments);
  const callbacks = options.callbacks ?? false;
  if (callbacks && scheme === undefined) throw new GeneratorInputError('--callbacks needs payments: the generated translator turns callbacks into payment updates');
  const port = options.port ?? 3200 + (PROVIDERS.indexOf(provider) + 1);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new GeneratorInputError(`--port ${String(port)} is not a TCP port`);

  const directory = resolve(options.outputRoot ?? options.workspaceRoot, 'apps', `connector-${name}`);
  if (existsSync(directory)) throw new GeneratorInputError(`${directory} already exists; the generator never overwrites a connector`);
  const root = relative(directory, resolve(options.workspaceRoot)).split('\\').join('/') || '.';
  const capabilities = [
    'fetch_accounts',
    'fetch_balances',
    ...(scheme === undefined ? [] : ['initiate_payment', 'poll_payment_status']),
    ...(callbacks ? ['translate_callbacks'] : []),
  ];
  const substitutions: Substitutions = {
    flags: { payments: scheme !== undefined, callbacks },
    values: {
      __CAPABILITIES__: capabilities.map((capability) => `'${capability}'`).join(', '),
      __PAYMENTS_NOTE__: scheme === undefined ? '' : ', payment creation and status',
      __Name__: pascalCase(name),
      __NAME__: name.toUpperCase().replace(/-/g, '_'),
      __name__: name,
      __provider__: provider,
      __scheme__: scheme ?? '',
      __port__: String(port),
      __root__: root,
    },
  };

  const files: string[] = [];
  for (const template of listTemplates(TEMPLATES_DIR)) {
    const target = substitute(relative(TEMPLATES_DIR, template).replace(/\.tpl$/, ''), substitutions.values);
    if (target === 'src/payments.ts' && !substitutions.flags.payments) continue;
    if (target === 'src/callbacks.ts' && !substitutions.flags.callbacks) continue;
    const output = join(directory, target);
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, render(readFileSync(template, 'utf8'), substitutions));
    files.push(target.split('\\').join('/'));
  }
  return { directory, files: files.sort(), capabilities };
}

function paymentScheme(provider: Provider, requested: string | undefined): StatusSchemeName | undefined {
  if (requested === 'none') return undefined;
  const schemes = statusSchemesOf(provider);
  if (requested === undefined) return schemes[0];
  if (!(requested in STATUS_SCHEMES)) throw new GeneratorInputError(`--payments "${requested}" is not a status scheme of libs/schemas (or "none")`);
  const scheme = requested as StatusSchemeName;
  if (!schemes.includes(scheme)) throw new GeneratorInputError(`--payments "${requested}" is not a status scheme of ${provider} (${schemes.join(', ') || 'it has none'})`);
  return scheme;
}

/** Replaces the placeholders and keeps or drops `//#if <flag>` … `//#else` … `//#endif` blocks. */
export function render(template: string, substitutions: Substitutions): string {
  const kept: string[] = [];
  let block: { flag: boolean; inElse: boolean } | undefined;
  for (const line of template.split('\n')) {
    const directive = /^\s*\/\/#(if|else|endif)\s*(\w*)\s*$/.exec(line);
    if (directive) {
      const [, keyword, flagName] = directive;
      if (keyword === 'if') {
        if (block) throw new Error('templates do not nest //#if blocks');
        if (flagName !== 'payments' && flagName !== 'callbacks') throw new Error(`unknown template flag ${flagName ?? ''}`);
        block = { flag: substitutions.flags[flagName], inElse: false };
      } else if (keyword === 'else') {
        if (!block) throw new Error('//#else outside a block');
        block.inElse = true;
      } else {
        block = undefined;
      }
      continue;
    }
    if (block && block.flag === block.inElse) continue;
    kept.push(substitute(line, substitutions.values));
  }
  if (block) throw new Error('an //#if block is not closed');
  return kept.join('\n');
}

function substitute(text: string, values: Record<string, string>): string {
  let result = text;
  for (const [placeholder, value] of Object.entries(values)) result = result.split(placeholder).join(value);
  return result;
}

export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => (part === '' ? '' : `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`))
    .join('');
}

function listTemplates(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? listTemplates(path) : entry.endsWith('.tpl') ? [path] : [];
  });
}
