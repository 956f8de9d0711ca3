/**
 * Encryption of GitLab tokens at rest. The store only sees this interface: the
 * desktop app plugs in Electron's safeStorage, a headless console the file-key
 * cipher below.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDataDir } from './data-dir';
import { StoreError } from './errors';

export interface TokenCipher {
  /** Stored with each credential, so a token is decrypted by the cipher that wrote it. */
  readonly kind: string;
  /** True when the key is guarded by the operating system (a keychain), not only by file permissions. */
  readonly isSecure: boolean;
  encrypt(plain: string): Buffer;
  decrypt(ciphertext: Buffer): string;
}

export const TOKEN_KEY_FILE = 'token.key';
export const FILE_KEY_CIPHER_KIND = 'file-key-aes-256-gcm';

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * AES-256-GCM with a random 32-byte key kept in `<dataDir>/token.key` (mode 0600,
 * created on first use). Ciphertext: version byte (1) ‖ 12-byte IV ‖ 16-byte tag ‖ data.
 *
 * This protects tokens in copies of the database (backups, bug reports), not from
 * other processes of the same user, so `isSecure` is false.
 */
export function createFileKeyCipher(dataDir: string): TokenCipher {
  const key = loadOrCreateKey(path.join(ensureDataDir(dataDir), TOKEN_KEY_FILE));
  return {
    kind: FILE_KEY_CIPHER_KIND,
    isSecure: false,
    encrypt(plain: string): Buffer {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), data]);
    },
    decrypt(ciphertext: Buffer): string {
      if (ciphertext.length < HEADER_BYTES || ciphertext[0] !== FORMAT_VERSION) {
        throw new StoreError('decrypt_failed', `stored token has an unknown format (version ${ciphertext[0] ?? 'none'})`);
      }
      const iv = ciphertext.subarray(1, 1 + IV_BYTES);
      const tag = ciphertext.subarray(1 + IV_BYTES, HEADER_BYTES);
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new StoreError('decrypt_failed', 'stored token cannot be decrypted: the key file was replaced or the data is damaged', {
          cause,
        });
      }
    },
  };
}

function loadOrCreateKey(file: string): Buffer {
  try {
    // 'wx': never overwrite a key another process just wrote (that would orphan its tokens).
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      const key = crypto.randomBytes(KEY_BYTES);
      fs.writeSync(fd, key);
      fs.fsyncSync(fd); // losing the key loses every stored token
      return key;
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (process.platform !== 'win32') {
      if ((st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
        throw new StoreError(
          'key_file_insecure',
          `token key file ${file} is readable by other users (mode ${mode}); run chmod 600 ${file} and start again`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        throw new StoreError('key_file_insecure', `token key file ${file} belongs to another user (uid ${st.uid})`);
      }
    }
    if (!st.isFile() || st.size !== KEY_BYTES) {
      throw new StoreError('key_file_invalid', `token key file ${file} is not a ${KEY_BYTES}-byte key`);
    }
    const key = Buffer.alloc(KEY_BYTES);
    fs.readSync(fd, key, 0, KEY_BYTES, 0);
    return key;
  } finally {
    fs.closeSync(fd);
  }
}
