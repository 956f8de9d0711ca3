/**
 * The import direction inside the Node core (eslint.config.js), checked with
 * ESLint itself on probe sources placed in each folder: observability → socket
 * → store → jobs → core, the store reaching only socket/types.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** The restricted-import messages ESLint gives `source` as if it were the file `filePath`. */
async function refusals(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const probe = (...specifiers: string[]) => specifiers.map((s) => `export * from '${s}';`).join('\n') + '\n';

describe('import direction inside src/main', () => {
  it('refuses an import of a higher folder, in every folder', async () => {
    const cases: [file: string, specifier: string][] = [
      ['src/main/observability/probe.ts', '../socket/config'],
      ['src/main/observability/probe.ts', '../jobs/retry-policy'],
      ['src/main/socket/probe.ts', '../store'],
      ['src/main/socket/probe.ts', '../jobs/job-service'],
      ['src/main/socket/types/probe.ts', '../../core/console-core'],
      ['src/main/store/probe.ts', '../jobs/retry-policy'],
      ['src/main/store/probe.ts', '../socket/socket-server'],
      ['src/main/store/probe.ts', '../socket'],
      ['src/main/jobs/probe.ts', '../core/metrics'],
    ];
    for (const [file, specifier] of cases) {
      const messages = await refusals(file, probe(specifier));
      expect(messages, `${file} importing ${specifier}`).toHaveLength(1);
      expect(messages[0]).toContain(specifier);
    }
  }, 60_000);

  it('allows imports downwards, the store’s socket/types, and src/shared files named like a folder', async () => {
    const cases: [file: string, specifiers: string[]][] = [
      ['src/main/socket/probe.ts', ['../observability/logger', '../../shared/jobs']],
      ['src/main/store/probe.ts', ['../socket/types/database', '../observability/logger', '../../shared/jobs']],
      ['src/main/jobs/probe.ts', ['../store', '../socket/handlers', '../observability/progress-tracker']],
      ['src/main/core/probe.ts', ['../jobs/job-service', '../store', '../socket/socket-server']],
    ];
    for (const [file, specifiers] of cases) expect(await refusals(file, probe(...specifiers)), file).toEqual([]);
  }, 60_000);

  it('keeps the core-wide rule: no electron in any of these folders', async () => {
    for (const folder of ['observability', 'socket', 'store', 'jobs', 'core']) {
      expect(await refusals(`src/main/${folder}/probe.ts`, probe('electron')), folder).toHaveLength(1);
    }
  }, 60_000);
});
