import { relative, resolve } from 'node:path';
import { buildWorkspace, WORKSPACE_ROOT } from './build';

/**
 * `npm run build [-- --out <dir>]`: compiles apps, libs and tools into dist/ (or <dir>) so that
 * `node dist/apps/<app>/src/main.js` runs without the development register hook.
 */
async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
  if (outIndex >= 0 && out === undefined) throw new Error('--out needs a directory');
  const result = await buildWorkspace(out === undefined ? {} : { outDir: resolve(out) });
  console.log(
    `built ${result.files.length} files into ${relative(WORKSPACE_ROOT, result.outDir) || '.'} in ${result.durationMs} ms` +
      ' — run a service with node dist/apps/<app>/src/main.js',
  );
}

main().catch((error: unknown) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
