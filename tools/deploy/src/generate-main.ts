import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_GENERATED_DIR, DEV_GENERATED_DIR, generatedFiles } from './generate';

/** `npm run deploy:generate`: rewrites k8s/base/generated/ and k8s/overlays/dev/generated/ from the registry. */
for (const dir of [BASE_GENERATED_DIR, DEV_GENERATED_DIR]) {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) rmSync(join(dir, file));
}
const files = generatedFiles();
for (const [path, content] of files) writeFileSync(path, content);
console.log(`wrote ${files.size} files under k8s/`);
