/**
 * Suites that need a program outside npm (Debian's chromium, docker-compose)
 * declare it here instead of skipping themselves: when the program is
 * missing the suite fails with the reason and the install command (a test
 * that cannot run fails; there is no opt-out). scripts/ensure-tools.sh,
 * npm's pretest, installs them.
 */
import { spawnSync } from 'child_process';
import { accessSync, constants, statSync } from 'fs';

/** The programs a suite can require, each with how to tell it is installed. */
export const REQUIRED_TOOLS = {
  chromium: () => isExecutableFile(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  'docker-compose': () => !spawnSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 30_000 }).error,
} as const;

/** An executable regular file (a directory at the path is not a browser). */
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A program that a suite can require. */
export type RequiredTool = keyof typeof REQUIRED_TOOLS;

/**
 * `describe` for a suite that needs `tool`: the suite itself when the tool is
 * installed, and otherwise a suite with one failing test that says what is
 * missing and how to install it.
 */
export function describeWith(tool: RequiredTool, name: string, body: () => void): void {
  if (REQUIRED_TOOLS[tool]()) return describe(name, body);
  describe(name, () => {
    it(`needs ${tool}`, () => {
      throw new Error(`${tool} is not installed: run scripts/ensure-tools.sh (apt-get install ${tool})`);
    });
  });
}
