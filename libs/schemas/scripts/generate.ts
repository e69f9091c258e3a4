// Writes the generated artefacts of the event contract (JSON Schema, AsyncAPI, docs/events.md
// sections). Run: npm run generate:schemas. CI fails when they are stale (artefacts.spec.ts).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateArtefacts, JSON_SCHEMA_DIR, WORKSPACE_ROOT } from './artefacts';

function main(): void {
  const artefacts = generateArtefacts();
  const changed: string[] = [];
  for (const artefact of artefacts) {
    const target = path.join(WORKSPACE_ROOT, artefact.path);
    mkdirSync(path.dirname(target), { recursive: true });
    const previous = readIfExists(target);
    if (previous !== artefact.content) {
      writeFileSync(target, artefact.content);
      changed.push(artefact.path);
    }
  }
  // A schema of an event type that no longer exists must not linger.
  const expected = new Set(artefacts.map((artefact) => artefact.path));
  for (const file of readdirSync(path.join(WORKSPACE_ROOT, JSON_SCHEMA_DIR))) {
    const relative = `${JSON_SCHEMA_DIR}/${file}`;
    if (!expected.has(relative)) {
      rmSync(path.join(WORKSPACE_ROOT, relative));
      changed.push(`${relative} (removed)`);
    }
  }
  console.log(changed.length === 0 ? 'generated artefacts are up to date' : `updated:\n  ${changed.join('\n  ')}`);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

main();
