/**
 * The PEM files of `serve --tls-cert/--tls-key` and `connect --ca`, read and checked before
 * anything listens or connects, so that a bad file is reported by its option and name with
 * what is wrong in it, not as a bare OpenSSL error (or, for a CA file, not at all: Node
 * ignores what it cannot parse there, and verification then fails for no visible reason).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { CliError, describeFsError, toError } from './errors.js';

async function readInputFile(option: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read ${option} ${path}: ${describeFsError(error)}`, { cause: error });
  }
}

// The PEM labels OpenSSL reads a certificate from; the private key labels it reads a key from.
const PEM_CERTIFICATES = /-----BEGIN ((?:TRUSTED |X509 )?CERTIFICATE)-----[\s\S]*?-----END \1-----/g;
const PEM_CERTIFICATE_BEGIN = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;
const PEM_ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/** Why `contents`, meant to hold a private key, does not (`reason`: what OpenSSL said). */
function keyProblem(contents: string, path: string, reason: string): string {
  if (contents.trim() === '') return 'empty file';
  if (PEM_ENCRYPTED_KEY.test(contents)) {
    return `an encrypted private key, and serve takes no passphrase (decrypt it first: openssl pkey -in ${path} -out key.pem)`;
  }
  if (!PEM_PRIVATE_KEY.test(contents) && PEM_CERTIFICATE_BEGIN.test(contents)) {
    return 'a certificate, not a private key (--tls-cert and --tls-key swapped?)';
  }
  return `not a valid private key (${reason})`;
}

/** Why `contents`, meant to hold a PEM certificate, does not (`reason`: what OpenSSL said). */
function certificateProblem(contents: string, reason: string): string {
  if (contents.trim() === '') return 'empty file';
  if (PEM_PRIVATE_KEY.test(contents) && !PEM_CERTIFICATE_BEGIN.test(contents)) {
    return 'a private key, not a certificate';
  }
  return `not a valid PEM certificate (${reason})`;
}

/**
 * Reads `serve`'s certificate and private key and checks them as the TLS server will use
 * them: each on its own, then together. Throws a {@link CliError} (exit 1) naming the option,
 * the file and what is wrong: unreadable, not a certificate or key, an encrypted key, or a key
 * that does not belong to the certificate.
 */
export async function readServerTlsFiles(certPath: string, keyPath: string): Promise<{ cert: Buffer; key: Buffer }> {
  const cert = await readInputFile('--tls-cert', certPath);
  const key = await readInputFile('--tls-key', keyPath);
  try {
    createSecureContext({ cert });
  } catch (error) {
    throw new CliError(`--tls-cert ${certPath}: ${certificateProblem(cert.toString('latin1'), toError(error).message)}`, { cause: error });
  }
  try {
    createSecureContext({ key });
  } catch (error) {
    throw new CliError(`--tls-key ${keyPath}: ${keyProblem(key.toString('latin1'), keyPath, toError(error).message)}`, { cause: error });
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CliError(`--tls-key ${keyPath} is not the private key of --tls-cert ${certPath} (${toError(error).message})`, {
      cause: error,
    });
  }
  return { cert, key };
}

/** The error parsing one PEM certificate raises, or `undefined` if it parses. */
function certificateParseError(pem: string): Error | undefined {
  try {
    new X509Certificate(pem);
    return undefined;
  } catch (error) {
    return toError(error);
  }
}

/**
 * Reads `connect --ca`: one or more PEM certificates, each of which must parse. Throws a
 * {@link CliError} (exit 1) naming the file and what is wrong with it.
 */
export async function readCaFile(path: string): Promise<Buffer> {
  const ca = await readInputFile('--ca', path);
  const contents = ca.toString('latin1');
  const blocks = contents.match(PEM_CERTIFICATES) ?? [];
  if (blocks.length === 0) {
    const problem =
      contents.trim() === ''
        ? 'empty file'
        : PEM_PRIVATE_KEY.test(contents)
          ? 'a private key, not a certificate'
          : 'not a PEM certificate (no -----BEGIN CERTIFICATE----- block in it)';
    throw new CliError(`--ca ${path}: ${problem}`);
  }
  for (const [index, block] of blocks.entries()) {
    const problem = certificateParseError(block);
    if (problem !== undefined) {
      const what = blocks.length === 1 ? 'not a valid PEM certificate' : `certificate ${index + 1} of ${blocks.length} is not valid`;
      throw new CliError(`--ca ${path}: ${what} (${problem.message})`, { cause: problem });
    }
  }
  return ca;
}
