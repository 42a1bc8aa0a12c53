/**
 * Suites that need a program outside npm (Debian's chromium, docker-compose)
 * declare it here instead of skipping themselves: when the program is
 * missing the suite fails with the reason and the install command, unless
 * the user opted out with `TLBSIM_TEST_SKIP` (comma-separated tool names),
 * in which case the suite is skipped and the jest summary names it
 * (test/support/summary.reporter.js). scripts/ensure-tools.sh installs them.
 */
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';

/** The programs a suite can require, each with how to tell it is installed. */
export const REQUIRED_TOOLS = {
  chromium: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  'docker-compose': () => !spawnSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 30_000 }).error,
} as const;

/** A program that a suite can require. */
export type RequiredTool = keyof typeof REQUIRED_TOOLS;

/** The tools listed in `TLBSIM_TEST_SKIP` (for example `chromium,docker-compose`). */
export function optedOut(): Set<string> {
  return new Set(
    (process.env.TLBSIM_TEST_SKIP ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/**
 * `describe` for a suite that needs `tool`: the suite itself when the tool is
 * installed, `describe.skip` when the user opted out of it, and otherwise a
 * suite with one failing test that says what is missing and how to fix it.
 */
export function describeWith(tool: RequiredTool, name: string, body: () => void): void {
  if (REQUIRED_TOOLS[tool]()) return describe(name, body);
  if (optedOut().has(tool)) return describe.skip(`${name} [TLBSIM_TEST_SKIP=${tool}]`, body);
  describe(name, () => {
    it(`needs ${tool}`, () => {
      throw new Error(
        `${tool} is not installed: run scripts/ensure-tools.sh (apt-get install ${tool}) or opt out with TLBSIM_TEST_SKIP=${tool}`,
      );
    });
  });
}
