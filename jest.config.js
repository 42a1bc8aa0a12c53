/** Jest: unit specs next to the code, integration and e2e suites in test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@tlbsim/(sim-core|contracts|engine|jobs)$': '<rootDir>/libs/$1/src',
    '^@tlbsim/(worker|coordinator|cli)$': '<rootDir>/services/$1/src',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  // Test code runs in a vm context, where every lookup of a global (Math.imul, Number.isInteger, new Float64Array)
  // takes a slow path: the kernel ran about 2x slower than in node. Injected as module parameters they are plain
  // bindings to the same objects. Not Date, Promise or the timers: fake timers replace those.
  sandboxInjectedGlobals: [
    'Math',
    'Number',
    'Object',
    'Array',
    'Map',
    'Set',
    'Float64Array',
    'Int32Array',
    'Uint32Array',
    'Uint16Array',
    'Int16Array',
    'Uint8Array',
    'isFinite',
    'isNaN',
  ],
  setupFiles: ['<rootDir>/test/support/kernel-checks.setup.ts'],
  testTimeout: 120000,
  // Two test files at a time (jest's default on a 2-core machine is one, in band): most suites wait on
  // worker processes, Redis round trips and child CLIs, so one core sat idle while the other ran them.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
};
