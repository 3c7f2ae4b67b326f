/**
 * TLS through the CLI, with the transport's test-only certificates (a throw-away CA and a
 * server certificate for 127.0.0.1): verified by default, `--insecure` says so on stderr.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, startServer } from './cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../packages/transport/test/fixtures/${name}`, import.meta.url));

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
});
