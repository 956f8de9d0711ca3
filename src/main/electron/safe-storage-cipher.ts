/**
 * Tokens at rest in the desktop app: Electron's safeStorage, which keeps the
 * key in the OS keychain (Keychain, DPAPI, libsecret/KWallet). Where Linux has
 * no secret service, safeStorage falls back to a hard-coded key ("basic_text"):
 * that is not protection, so the cipher says `isSecure: false` and the UI warns.
 */
import { safeStorage } from 'electron';
import type { TokenCipher } from '../store/token-cipher';

export const SAFE_STORAGE_CIPHER_KIND = 'electron-safe-storage';

export interface SafeStorageStatus {
  available: boolean;
  /** Linux only: the backend safeStorage picked. */
  backend: string | null;
  isSecure: boolean;
}

/** Call after `app.whenReady()`: before it, safeStorage reports itself unavailable. */
export function safeStorageStatus(): SafeStorageStatus {
  const available = safeStorage.isEncryptionAvailable();
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  return { available, backend, isSecure: available && backend !== 'basic_text' && backend !== 'unknown' };
}

/** @returns null when safeStorage cannot encrypt at all (the caller falls back and warns). */
export function createSafeStorageCipher(status: SafeStorageStatus = safeStorageStatus()): TokenCipher | null {
  if (!status.available) return null;
  return {
    kind: SAFE_STORAGE_CIPHER_KIND,
    isSecure: status.isSecure,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (ciphertext) => safeStorage.decryptString(ciphertext),
  };
}
