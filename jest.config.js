/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/common/src',
    '<rootDir>/customer/src',
    '<rootDir>/products/src',
    '<rootDir>/shopping/src',
    '<rootDir>/gateway/src',
    '<rootDir>/e2e',
    '<rootDir>/scripts',
    '<rootDir>/deploy',
  ],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: {
    '^@shop/common$': '<rootDir>/common/src/index.ts',
    '^@shop/common/(.*)$': '<rootDir>/common/src/$1',
  },
  // One FerretDB and one RabbitMQ node for the whole run; each test file gets its own names on them.
  globalSetup: '<rootDir>/scripts/test/global-setup.ts',
  globalTeardown: '<rootDir>/scripts/test/global-teardown.ts',
  // A deprecation warning from a library fails the test that caused it.
  setupFilesAfterEnv: ['<rootDir>/scripts/test/no-process-warnings.ts'],
  reporters: ['default', '<rootDir>/scripts/test/summary-reporter.js'],
  testTimeout: 30_000,
  maxWorkers: 2,
};
