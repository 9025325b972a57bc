/**
 * The pure rules alone: no FerretDB, no RabbitMQ, done in seconds (`npm run test:unit`). These
 * tests also run in `npm test`.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['**/src/domain/**/*.test.ts', '**/src/contracts/**/*.test.ts', '**/common/src/kit/events/batch-plan.test.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
