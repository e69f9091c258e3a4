import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { healthcheckScript, imageEntryOf, startScript } from './image-entry';

/** `node tools/run-ts.cjs tools/build/src/image-entry-main.ts <app> <out dir>` (the Dockerfile's build stage). */
const [app, outDir] = process.argv.slice(2);
if (app === undefined || outDir === undefined) {
  console.error('usage: image-entry-main <app> <out dir>');
  process.exit(2);
}
try {
  const entry = imageEntryOf(app);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'start.js'), startScript(entry));
  writeFileSync(join(outDir, 'healthcheck.js'), healthcheckScript(entry));
  console.log(`image entry for ${app}: ${entry.entry}${entry.port === undefined ? '' : ` (port ${entry.port})`}`);
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
