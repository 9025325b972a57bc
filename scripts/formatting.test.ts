import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..');
const PRETTIER = require.resolve('prettier/bin/prettier.cjs');

async function prettier(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [PRETTIER, ...args], { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('formatting (prettier, npm run format)', () => {
  test('When prettier checks the repository, then every file it formats is formatted', async () => {
    const check = await prettier('--check', '.');
    expect(check.output).toContain('All matched files use Prettier code style!');
    expect(check.code).toBe(0);
  }, 60_000);

  test.each(['gateway/src/openapi.generated.ts', 'postman/microservices-shop.postman_collection.json', 'README.md'])(
    'When prettier meets %s (generated, exported or prose with tables), then it leaves it alone',
    async (file) => {
      const info = await prettier('--file-info', file);
      expect(JSON.parse(info.output)).toMatchObject({ ignored: true });
    },
  );
});
