// Crash-safe file operations for the data directory. The rule everywhere: a file (or a version
// directory) becomes visible under its final name only once its contents are on disk: write a
// temporary name, fsync it, rename it over the final name, fsync the directory so the rename
// itself survives a power cut (rename(2) is atomic; its durability needs the directory's fsync).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SigwallError } from '../errors.js';

// Test seam: a crash simulation may throw here (or kill the process) between the steps of a
// write. Production code never sets it.
export type CrashPoint = 'version-files-written' | 'version-renamed' | 'active-temp-written';
let crashHook: ((point: CrashPoint) => void) | undefined;
export function setCrashHookForTests(hook: ((point: CrashPoint) => void) | undefined): void {
  crashHook = hook;
}
export function crashPoint(point: CrashPoint): void {
  crashHook?.(point);
}

export function storeError(file: string, action: string, error: unknown): SigwallError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new SigwallError('SIGWALL_ERR_STORE', `${file}: cannot ${action}: ${reason}`, { file });
}

export function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch (error) {
    throw storeError(directory, 'fsync the directory', error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function ensureDirectory(directory: string, mode = 0o700): void {
  try {
    mkdirSync(directory, { recursive: true, mode });
  } catch (error) {
    throw storeError(directory, 'create the directory', error);
  }
}

// Writes `data` to `file` and fsyncs it (no rename: the caller names a temporary file).
export function writeFileSynced(file: string, data: string | Uint8Array, mode = 0o600): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
  } catch (error) {
    throw storeError(file, 'write', error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function temporaryName(directory: string, prefix: string): string {
  return join(directory, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
}

// Replaces `file` atomically: readers see the old contents or the new, never a mix or nothing.
export function replaceFileAtomically(file: string, data: string | Uint8Array, beforeRename?: () => void): void {
  const directory = dirname(file);
  const temporary = temporaryName(directory, '.tmp-');
  writeFileSynced(temporary, data);
  beforeRename?.();
  try {
    renameSync(temporary, file);
  } catch (error) {
    throw storeError(file, 'rename into place', error);
  }
  fsyncDirectory(directory);
}

// Appends one line and fsyncs it: an audit entry that was reported written is on disk.
export function appendLineSynced(file: string, line: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
    const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
  } catch (error) {
    throw storeError(file, 'append to', error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
