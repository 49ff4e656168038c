import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(text) as { services: Record<string, { environment?: Record<string, string>; ports?: string[] }> };
const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

/** docker-compose.yml publishes the API: nothing in it may work with a secret printed in the repository. */
describe('docker-compose.yml and its secrets', () => {
  it('requires the API token, the database password and the redaction key, with no default for any', () => {
    const api = compose.services.api!;
    expect(api.ports).toEqual(['8081:8081']);
    expect(api.environment!.SHADOWDIFF_API_TOKEN).toMatch(/^\$\{SHADOWDIFF_API_TOKEN:\?.*openssl rand -hex 32\}$/);
    expect(compose.services.postgres!.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{SHADOWDIFF_DB_PASSWORD:\?/);
    for (const [name, service] of Object.entries(compose.services)) {
      const url = service.environment?.DATABASE_URL;
      if (url) expect(url, name).toMatch(/^postgres:\/\/shadowdiff:\$\{SHADOWDIFF_DB_PASSWORD:\?[^}]*\}@postgres:5432\/shadowdiff$/);
    }
    const merged = parse(text, { merge: true }) as typeof compose;
    for (const name of ['tap', 'api']) expect(merged.services[name]!.environment!.SHADOWDIFF_REDACTION_KEY, name).toMatch(/^\$\{SHADOWDIFF_REDACTION_KEY:\?.*openssl rand -hex 32\}$/);
    expect(text).not.toMatch(/:-replace-with|POSTGRES_PASSWORD: shadowdiff|shadowdiff:shadowdiff@/);
  });

  it.runIf(hasDockerCompose)('is refused by docker-compose without the secrets, and valid with them', () => {
    const { SHADOWDIFF_API_TOKEN: _token, SHADOWDIFF_DB_PASSWORD: _password, SHADOWDIFF_REDACTION_KEY: _key, ...env } = process.env;
    const without = spawnSync('docker-compose', ['config', '-q'], { cwd: root, env, encoding: 'utf8' });
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/openssl rand -hex 32/);
    const secret = 'a'.repeat(16) + 'b'.repeat(16);
    const withSecrets = spawnSync('docker-compose', ['config', '-q'], { cwd: root, env: { ...env, SHADOWDIFF_API_TOKEN: secret, SHADOWDIFF_DB_PASSWORD: secret, SHADOWDIFF_REDACTION_KEY: secret }, encoding: 'utf8' });
    expect(withSecrets.stderr).toBe('');
    expect(withSecrets.status).toBe(0);
  });
});
