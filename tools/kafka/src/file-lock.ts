import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Runs `work` while holding a lock directory, so two test runners (or `npm start` and a test run)
 * never fetch or start the same broker twice. A lock left by a dead process is taken over.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockPath);
      writeFileSync(join(lockPath, 'owner'), String(process.pid));
      break;
    } catch (error: unknown) {
      if (!isExistsError(error)) throw error;
      if (ownerIsGone(lockPath)) {
        rmSync(lockPath, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}

function isExistsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'EEXIST';
}

function ownerIsGone(lockPath: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(lockPath, 'owner'), 'utf8'), 10);
  } catch {
    // The owner is between mkdir and writing its pid; give it a moment.
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
