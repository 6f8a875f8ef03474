import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository root, found by walking up to the package.json named "amtsweg". Works the same from
 * the TypeScript sources (tests) and from dist/ (runtime), so migrations, seed data and the workflow
 * sources are found without depending on the current working directory.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'amtsweg') return dir;
      } catch {
        // not our package.json; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`amtsweg repository root not found above ${from}`);
    dir = parent;
  }
}
