import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { DataSize } from './size';

/**
 * The sandbox's state on disk, so a restarted sandbox resumes where it stopped instead of
 * starting again from its seed. One JSON header line (format, version, identity, checksum) and
 * the state after it in Node's structured-clone serialization, which keeps what JSON cannot:
 * bigints, Maps, Sets and objects shared between structures (a book entry that is also in a
 * timeline). Written to a temporary file and renamed, so a crash leaves the old file or the new
 * one, never half of one.
 */
export const STATE_FILE_FORMAT = 'finmesh-provider-sandbox-state';
/** Raised whenever the saved shape changes; an older file is refused rather than half-read. */
export const STATE_FILE_VERSION = 1;

const MAX_HEADER_BYTES = 4_096;

export interface StateFileIdentity {
  seed: string;
  size: DataSize;
}

export interface StateFileHeader extends StateFileIdentity {
  format: string;
  version: number;
  /** Wall-clock time of the save: how long the sandbox was down. */
  savedAt: string;
  /** Sandbox-clock time of the save. */
  clock: string;
  payloadBytes: number;
  sha256: string;
}

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

export function writeStateFile(path: string, header: Omit<StateFileHeader, 'format' | 'version' | 'payloadBytes' | 'sha256'>, state: unknown): void {
  const payload = serialize(state);
  const fullHeader: StateFileHeader = {
    format: STATE_FILE_FORMAT,
    version: STATE_FILE_VERSION,
    ...header,
    payloadBytes: payload.length,
    sha256: createHash('sha256').update(payload).digest('hex'),
  };
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeAll(fd, Buffer.from(`${JSON.stringify(fullHeader)}\n`, 'utf8'));
    writeAll(fd, payload);
    fsyncSync(fd);
  } catch (error: unknown) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  // The rename itself is durable only once the directory is synced.
  const directory = openSync(dirname(path), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

/** The saved state, or undefined when there is no file yet; a file that does not fit throws a StateFileError saying why. */
export function readStateFile(path: string, expected: StateFileIdentity): { header: StateFileHeader; state: unknown } | undefined {
  if (!existsSync(path)) return undefined;
  const content = readFileSync(path);
  const startOver = `delete ${path} to start the sandbox again from its seed`;
  const newline = content.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a);
  const header = newline < 0 ? undefined : parseHeader(content.subarray(0, newline).toString('utf8'));
  if (header === undefined || header.format !== STATE_FILE_FORMAT) {
    throw new StateFileError(`${path} is not a provider sandbox state file; ${startOver}`);
  }
  if (header.version !== STATE_FILE_VERSION) {
    throw new StateFileError(`${path} has state format version ${header.version}, this sandbox reads version ${STATE_FILE_VERSION}; ${startOver}`);
  }
  const payload = content.subarray(newline + 1);
  if (payload.length !== header.payloadBytes || createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    throw new StateFileError(`${path} is damaged (its content does not match its checksum); ${startOver}`);
  }
  if (header.seed !== expected.seed || JSON.stringify(header.size) !== JSON.stringify(expected.size)) {
    throw new StateFileError(
      `${path} was saved by a sandbox with seed ${JSON.stringify(header.seed)} and size ${JSON.stringify(header.size)}; this one has seed ` +
        `${JSON.stringify(expected.seed)} and size ${JSON.stringify(expected.size)}. Start it with the saved seed and size, or ${startOver}`,
    );
  }
  try {
    return { header, state: deserialize(payload) as unknown };
  } catch (error: unknown) {
    throw new StateFileError(`${path} could not be read (${error instanceof Error ? error.message : String(error)}); ${startOver}`);
  }
}

function parseHeader(text: string): StateFileHeader | undefined {
  try {
    const value = JSON.parse(text) as Partial<StateFileHeader> | null;
    if (value === null || typeof value !== 'object' || typeof value.format !== 'string' || typeof value.version !== 'number') return undefined;
    if (typeof value.payloadBytes !== 'number' || typeof value.sha256 !== 'string' || typeof value.seed !== 'string') return undefined;
    if (typeof value.savedAt !== 'string' || typeof value.clock !== 'string' || typeof value.size !== 'object') return undefined;
    return value as StateFileHeader;
  } catch {
    return undefined;
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  for (let written = 0; written < buffer.length; ) written += writeSync(fd, buffer, written, buffer.length - written);
}
