/**
 * The TLS identity of the TCP listener: the operator's certificate and key, or a
 * self-signed pair the console makes once in its data directory. Crawlers pin
 * the certificate's SHA-256 fingerprint instead of trusting a CA, so the
 * certificate's names do not matter and it never needs renewing by hand.
 *
 * node-forge builds the X.509 structure (Node can read certificates but not make
 * them, and the openssl CLI is not on every platform); the key pair itself comes
 * from node:crypto, which is native and fast.
 */
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate's DER, as colon-separated upper-case hex (what crawlers pin). */
  fingerprint256: string;
  certPath: string;
  keyPath: string;
  /** True when the console made this certificate (rather than the operator). */
  selfSigned: boolean;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

/** The folder of the self-signed pair, inside the data directory. */
export const tlsDirOf = (dataDir: string): string => path.join(dataDir, 'tls');

/** Reads the operator's PEM certificate and key. One-sentence errors: this runs at start-up. */
export function loadTlsIdentity(certPath: string, keyPath: string): TlsIdentity {
  const read = (file: string, what: string): string => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`Cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  let fingerprint256: string;
  try {
    fingerprint256 = new X509Certificate(cert).fingerprint256;
  } catch {
    throw new Error(`The TLS certificate ${certPath} is not a PEM X.509 certificate`);
  }
  return { cert, key, fingerprint256, certPath, keyPath, selfSigned: false };
}

/**
 * The self-signed identity in `<dataDir>/tls`, made on first use. The key file
 * is owner-only; an existing pair is reused so the pinned fingerprint stays.
 */
export function ensureSelfSignedIdentity(dataDir: string, commonName = 'Crawl Console'): TlsIdentity {
  const dir = tlsDirOf(dataDir);
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    return { ...loadTlsIdentity(certPath, keyPath), selfSigned: true };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = makeSelfSigned(commonName);
  // Key first and exclusive: two consoles racing cannot end up with mismatched halves unnoticed.
  fs.writeFileSync(keyPath, key, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(certPath, cert, { mode: 0o644, flag: 'wx' });
  return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, certPath, keyPath, selfSigned: true };
}

/** A fresh RSA-2048 key and a ten-year self-signed certificate for it, both PEM. */
export function makeSelfSigned(commonName: string): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive 128-bit serial (leading bit clear): unique without bookkeeping.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + TEN_YEARS_MS);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

/** A loopback address (where plain TCP cannot be overheard by another machine). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Fingerprints compare without case or separators: `AB:CD…`, `abcd…` are the same pin. */
export const normalizeFingerprint = (fp: string): string => fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
