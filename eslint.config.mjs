// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules for every
 * TypeScript file, Prettier's compatibility config (formatting is Prettier's
 * job: `npm run format:check`), and the package boundaries.
 *
 * Boundaries: a workspace imports another workspace only by its package name
 * and only if its package.json declares it (the one place the dependency graph
 * is written); the kernel (sim-core) imports nothing at all, not even Node's
 * modules. test/boundaries.test.ts checks that the declared graph points
 * inward (sim-core depends on nothing, libs never on services) and catches
 * dynamic `import()`, which this rule cannot see.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import { readFileSync } from 'node:fs';
import tseslint from 'typescript-eslint';

/** The workspaces, from the root package.json. */
const WORKSPACES = /** @type {string[]} */ (
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).workspaces
);

/** The package name and the declared `@tlbsim/*` dependencies of a workspace. */
function manifest(dir) {
  const pkg = JSON.parse(readFileSync(new URL(`./${dir}/package.json`, import.meta.url), 'utf8'));
  return {
    name: pkg.name,
    deps: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith('@tlbsim/')),
  };
}

/** Relative imports that reach another workspace's sources instead of its package name. */
const BY_PATH = {
  regex: `^(\\.\\./)+((libs|services)/)?(${WORKSPACES.map((w) => w.split('/')[1]).join('|')})/(src|dashboard)(/|$)`,
  message: 'import another workspace by its package name (@tlbsim/<name>), declared in package.json, not by path',
};
/** Deep imports into a workspace's files. */
const DEEP = {
  regex: '^@tlbsim/[^/]+/',
  message: 'import a workspace by its package name only (its index), not its files',
};

/** The `no-restricted-imports` block of one workspace. */
function boundaries(dir) {
  const { name, deps } = manifest(dir);
  const others = WORKSPACES.map((w) => manifest(w).name).filter((n) => n !== name && !deps.includes(n));
  const patterns = [BY_PATH, DEEP];
  if (name === '@tlbsim/sim-core')
    patterns.push({
      regex: '^[^.]',
      message: 'sim-core is the pure kernel: it imports only its own files (no workspace, no npm package, no Node API)',
    });
  return {
    files: [`${dir}/src/**/*.ts`, `${dir}/dashboard/src/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: others.map((n) => ({
            name: n,
            message: `${dir}/package.json does not declare ${n}: a workspace imports only what it declares, and only inward (sim-core < contracts < engine < jobs < services)`,
          })),
          patterns,
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'test/artifacts/**', 'coverage/**', 'bench-out/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused arguments are named with a leading underscore on purpose (interfaces, callbacks).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    // Tests walk untyped JSON (HTTP bodies, parsed YAML): `any` is the honest type there.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...WORKSPACES.map(boundaries),
  {
    // One declaration per environment variable (libs/contracts/src/environment.schema.ts, docs/environment.md):
    // the processes read TLBSIM_* and REDIS_* through it, so a bad value is refused the same way everywhere.
    files: ['libs/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/src/bench/**', '**/kernel-checks.env.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env'][property.name=/^(TLBSIM|REDIS)_/]",
          message: 'read the environment through its declaration (envText/envInteger/... of @tlbsim/contracts)',
        },
      ],
    },
  },
);
