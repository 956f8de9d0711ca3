/**
 * Failures of the storage itself — a full disk, a read-only file system, I/O
 * errors — as opposed to a value that cannot be stored. They are not the
 * caller's fault and not a bug: the console degrades (refuses writes with this
 * sentence, reports it in its health) and recovers when the disk does.
 */
const STORAGE_CODES = /^(SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|CORRUPT|NOMEM|NOTADB|PROTOCOL)|ENOSPC|EROFS|EIO|EDQUOT|EACCES|EPERM)/;

export function storageFailureCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code) ? code : null;
}

export const isStorageFailure = (err: unknown): boolean => storageFailureCode(err) !== null;

/** What a person reads when the storage refuses a write: what happened, that nothing saved is lost, what to do. */
export function storageFailureSentence(err: unknown, what = 'the database'): string {
  const code = storageFailureCode(err) ?? '';
  const why = /FULL|ENOSPC|EDQUOT/.test(code)
    ? 'the disk holding the data directory is full'
    : /READONLY|EROFS|EACCES|EPERM/.test(code)
      ? 'the data directory has become read-only'
      : /BUSY|LOCKED/.test(code)
        ? 'the database is locked by another process'
        : `the disk reports an error (${code || 'unknown'})`;
  return `The console cannot write to ${what}: ${why}; changes are refused until that is fixed (nothing saved so far is lost).`;
}
