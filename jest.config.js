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
  setupFiles: ['<rootDir>/test/support/kernel-checks.setup.ts'],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
};
