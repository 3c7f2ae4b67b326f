/**
 * TLS through the CLI, with the transport's test-only certificates (a throw-away CA and a
 * server certificate for 127.0.0.1): verified by default, `--insecure` says so on stderr. A
 * bad `--tls-cert`, `--tls-key` or `--ca` file is reported by option and path, with what is
 * wrong in it, before anything listens or connects.
 */
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServer } from './cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../packages/transport/test/fixtures/${name}`, import.meta.url));

// Real files in a temp dir: copies of the transport's test certificates, and broken ones.
const dir = mkdtempSync(join(tmpdir(), 'framewire-cli-tls-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
function file(name: string, contents: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}
function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(fixture(name), path);
  return path;
}
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NOT_PEM = 'this is not PEM\n';
const BROKEN_CERT = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const BROKEN_KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';

describe('TLS', () => {
  it('serves TLS; connect verifies the certificate against --ca', async () => {
    const server = await startServer(['--framing', 'line', '--echo', '--grace', '1', '--tls-cert', fixture('server.pem'), '--tls-key', fixture('server-key.pem')]);
    await server.waitForLog(/, TLS\n/);
    const ok = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--ca', fixture('ca.pem'), '--expect', '1', 'secret']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('secret\n');

    const untrusted = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--tls', '--expect', '1', 'secret']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^framewire: TLS certificate verification failed for 127\.0\.0\.1:\d+: .*\n$/);

    const insecure = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--insecure', '--expect', '1', 'secret']);
    expect(insecure.code).toBe(0);
    expect(insecure.out).toBe('secret\n');
    expect(insecure.stderr).toBe('framewire: warning: TLS certificate verification is off (--insecure)\n');
    expect((await server.stop()).code).toBe(0);
  });

  it('--tls-cert without --tls-key is an error', async () => {
    const result = await runCli(['serve', '--port', '0', '--tls-cert', fixture('server.pem')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('framewire: --tls-cert and --tls-key must be given together\n');
  });

  describe('a bad --tls-cert or --tls-key names the file and what is wrong (exit 1, nothing listens)', () => {
    const cert = copy('server.pem');
    const key = copy('server-key.pem');
    const otherCert = copy('client.pem');
    const encryptedKey = file(
      'encrypted-key.pem',
      generateKeyPairSync('ec', {
        namedCurve: 'prime256v1',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
      }).privateKey,
    );
    // [what, --tls-cert, --tls-key, the message, what follows it (a pattern: OpenSSL's reason)]
    const OPENSSL_REASON = ' \\(error:[^\\n]+\\)';
    const notPemKey = file('not-pem-key.pem', NOT_PEM);
    const brokenKey = file('broken-key.pem', BROKEN_KEY);
    const emptyKey = file('empty-key.pem', '');
    const notPemCert = file('not-pem-cert.pem', NOT_PEM);
    const brokenCert = file('broken-cert.pem', BROKEN_CERT);
    const missing = join(dir, 'missing.pem');
    it.each([
      ['a key file that is not PEM', cert, notPemKey, `--tls-key ${notPemKey}: not a valid private key`, OPENSSL_REASON],
      ['a broken PEM key', cert, brokenKey, `--tls-key ${brokenKey}: not a valid private key`, OPENSSL_REASON],
      ['an empty key file', cert, emptyKey, `--tls-key ${emptyKey}: empty file`, ''],
      [
        'an encrypted key',
        cert,
        encryptedKey,
        `--tls-key ${encryptedKey}: an encrypted private key, and serve takes no passphrase (decrypt it first: openssl pkey -in ${encryptedKey} -out key.pem)`,
        '',
      ],
      ['the certificate given as the key', cert, cert, `--tls-key ${cert}: a certificate, not a private key (--tls-cert and --tls-key swapped?)`, ''],
      ['a certificate file that is not PEM', notPemCert, key, `--tls-cert ${notPemCert}: not a valid PEM certificate`, OPENSSL_REASON],
      ['a broken PEM certificate', brokenCert, key, `--tls-cert ${brokenCert}: not a valid PEM certificate`, OPENSSL_REASON],
      ['the key given as the certificate', key, key, `--tls-cert ${key}: a private key, not a certificate`, ''],
      ["a key that is not the certificate's", otherCert, key, `--tls-key ${key} is not the private key of --tls-cert ${otherCert}`, OPENSSL_REASON],
      ['a missing certificate file', missing, key, `cannot read --tls-cert ${missing}: no such file`, ''],
    ])('%s', async (_what, certPath, keyPath, message, reason) => {
      const result = await runCli(['serve', '--port', '0', '--tls-cert', certPath, '--tls-key', keyPath]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^framewire: ${escape(message)}${reason}\\n$`));
    });

    it('the same files, whole, serve TLS', async () => {
      const server = await startServer(['--framing', 'line', '--echo', '--grace', '1', '--tls-cert', cert, '--tls-key', key]);
      await server.waitForLog(/, TLS\n/);
      const ok = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--ca', copy('ca.pem'), '--expect', '1', 'hi']);
      expect(ok).toMatchObject({ code: 0, out: 'hi\n', stderr: '' });
      expect((await server.stop()).code).toBe(0);
    });
  });

  it('a bad --ca names the file and what is wrong, before connecting (not a failed verification)', async () => {
    const server = await startServer(['--framing', 'line', '--echo', '--grace', '1', '--tls-cert', fixture('server.pem'), '--tls-key', fixture('server-key.pem')]);
    await server.waitForLog(/, TLS\n/);
    const ca = readFileSync(fixture('ca.pem'), 'utf8');
    const cases: [string, string][] = [
      [file('ca-not-pem.pem', NOT_PEM), escape('not a PEM certificate (no -----BEGIN CERTIFICATE----- block in it)')],
      [file('ca-broken.pem', BROKEN_CERT), 'not a valid PEM certificate \\(error:[^\\n]+\\)'],
      [file('ca-bundle.pem', ca + BROKEN_CERT), 'certificate 2 of 2 is not valid \\(error:[^\\n]+\\)'],
      [file('ca-key.pem', readFileSync(fixture('server-key.pem'))), 'a private key, not a certificate'],
      [file('ca-empty.pem', ''), 'empty file'],
    ];
    for (const [path, problem] of cases) {
      const result = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--ca', path, '--expect', '1', 'secret']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^framewire: --ca ${escape(path)}: ${problem}\\n$`));
    }
    const missing = await runCli(['connect', '--port', String(server.port), '--ca', join(dir, 'missing-ca.pem'), 'x']);
    expect(missing).toMatchObject({ code: 1, stderr: `framewire: cannot read --ca ${join(dir, 'missing-ca.pem')}: no such file\n` });
    // A bundle of good certificates is fine.
    const bundle = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--ca', file('ca-good-bundle.pem', ca + readFileSync(fixture('client.pem'), 'utf8')), '--expect', '1', 'secret']);
    expect(bundle).toMatchObject({ code: 0, out: 'secret\n' });
    // Only that last client reached the server: the bad files stopped the others before connecting.
    expect(server.log().match(/has been established/g)).toHaveLength(1);
    expect(server.log()).not.toMatch(/handshake/);
    expect((await server.stop()).code).toBe(0);
  });
});
