import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { transformFile, type Options } from '@swc/core';

/** The workspace root, two levels above tools/build/src. */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/** Top-level folders whose projects are compiled: every project keeps its code under `<folder>/<project>/src`. */
const PROJECT_FOLDERS = ['apps', 'libs', 'tools'] as const;

export interface BuildOptions {
  /** Workspace to compile (defaults to this one). */
  root?: string;
  /** Where the JavaScript goes, keeping the workspace layout (`<outDir>/apps/ledger/src/main.js`). */
  outDir?: string;
  /** Files compiled at once (SWC runs them on its own threads). */
  concurrency?: number;
}

export interface BuildResult {
  outDir: string;
  files: string[];
  durationMs: number;
}

/**
 * Compiles every project's TypeScript sources (tests excluded) with SWC into plain CommonJS that
 * production Node runs without a register hook: legacy decorators with their metadata (NestJS
 * dependency injection reads it), `@finmesh/*` aliases rewritten to relative paths (so no alias
 * resolver is needed at run time) and a source map beside every file.
 */
export async function buildWorkspace(options: BuildOptions = {}): Promise<BuildResult> {
  const started = Date.now();
  const root = resolve(options.root ?? WORKSPACE_ROOT);
  const outDir = resolve(options.outDir ?? join(root, 'dist'));
  assertSafeOutDir(root, outDir);
  const paths = await readPathAliases(root);
  const sources = await collectSources(root);
  await rm(outDir, { recursive: true, force: true });

  const queue = [...sources];
  const written: string[] = [];
  const worker = async (): Promise<void> => {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      written.push(await compileFile(root, outDir, source, paths));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, () => worker()));
  written.sort();
  return { outDir, files: written, durationMs: Date.now() - started };
}

/** SWC options for one file; exported so tests can check the settings the services depend on. */
export function swcOptions(root: string, file: string, paths: Record<string, string[]>): Options {
  return {
    swcrc: false,
    configFile: false,
    filename: file,
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      // Helpers are inlined: @swc/helpers is a dev dependency and the image has production ones only.
      externalHelpers: false,
      baseUrl: root,
      paths,
    },
    module: { type: 'commonjs' },
  };
}

/** Source files of every project: `*.ts` under `<folder>/<project>/src`, without tests and declarations. */
export async function collectSources(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const folder of PROJECT_FOLDERS) {
    const projects = await readdir(join(root, folder), { withFileTypes: true }).catch(() => []);
    for (const project of projects) {
      if (!project.isDirectory()) continue;
      await walk(join(root, folder, project.name, 'src'), files);
    }
  }
  return files.sort();
}

async function walk(directory: string, files: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, files);
    else if (isProductionSource(entry.name)) files.push(path);
  }
}

export function isProductionSource(fileName: string): boolean {
  return fileName.endsWith('.ts') && !fileName.endsWith('.d.ts') && !fileName.endsWith('.spec.ts');
}

/** The `paths` of tsconfig.base.json: the one place the `@finmesh/*` aliases are declared. */
export async function readPathAliases(root: string): Promise<Record<string, string[]>> {
  const text = await readFile(join(root, 'tsconfig.base.json'), 'utf8');
  const parsed = JSON.parse(text) as { compilerOptions?: { paths?: Record<string, string[]> } };
  const paths = parsed.compilerOptions?.paths;
  if (paths === undefined) throw new Error('tsconfig.base.json declares no compilerOptions.paths');
  return paths;
}

async function compileFile(root: string, outDir: string, source: string, paths: Record<string, string[]>): Promise<string> {
  const output = await transformFile(source, swcOptions(root, source, paths));
  const target = join(outDir, relative(root, source)).replace(/\.ts$/, '.js');
  const mapName = `${target.slice(dirname(target).length + 1)}.map`;
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${output.code}\n//# sourceMappingURL=${mapName}\n`);
  if (output.map !== undefined) {
    const map = JSON.parse(output.map) as { sources?: string[]; file?: string };
    // Point the map at the TypeScript file relative to the output, so stack traces name real sources.
    map.sources = [relative(dirname(target), source).split(sep).join('/')];
    map.file = mapName.replace(/\.map$/, '');
    await writeFile(`${target}.map`, JSON.stringify(map));
  }
  return target;
}

/** Refuses to empty a folder that is the workspace itself or lies outside a dist/tmp folder. */
function assertSafeOutDir(root: string, outDir: string): void {
  const inside = relative(root, outDir);
  const underWorkspace = inside !== '' && !inside.startsWith('..');
  const name = inside.split(sep)[0];
  if (underWorkspace && name !== 'dist' && name !== 'tmp') {
    throw new Error(`refusing to build into ${outDir}: inside the workspace only dist/ and tmp/ are build outputs`);
  }
  if (outDir === root || root.startsWith(`${outDir}${sep}`)) {
    throw new Error(`refusing to build into ${outDir}: it contains the workspace`);
  }
}
