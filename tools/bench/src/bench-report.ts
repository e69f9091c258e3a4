import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const BENCHMARKS_FILE = join(WORKSPACE_ROOT, 'docs', 'benchmarks.md');

/** One line naming the machine a figure was measured on. */
export function describeMachine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
  let postgres = 'unknown';
  try {
    postgres = execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // psql missing: the version stays unknown.
  }
  return `${cpus().length} cores (${model}), ${memoryGiB} GiB RAM, Node.js ${process.version}, ${postgres}`;
}

/**
 * Replaces the section between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` in
 * docs/benchmarks.md (appending it the first time), so each benchmark owns its own section.
 */
export function writeBenchmarkSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let content = existsSync(BENCHMARKS_FILE)
    ? readFileSync(BENCHMARKS_FILE, 'utf8')
    : '# Benchmarks\n\nMeasured by `npm run bench:*` on the machine named in each section; never asserted in tests.\n';
  const from = content.indexOf(start);
  const to = content.indexOf(end);
  if (from !== -1 && to > from) {
    content = `${content.slice(0, from)}${block}${content.slice(to + end.length)}`;
  } else {
    content = `${content.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(BENCHMARKS_FILE, content);
}
