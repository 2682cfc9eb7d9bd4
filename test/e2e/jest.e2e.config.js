/**
 * The end-to-end tests, run by `npm run test:e2e` (build/scripts/e2e.js), which starts a real n8n
 * and the sandboxes first and passes their addresses in LINE_PORTERS_E2E_CONTEXT. All test files
 * share that one n8n, so they run in one process, one after another.
 */
const path = require('path');

module.exports = {
	rootDir: path.resolve(__dirname, '..', '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/build/test/e2e'],
	testMatch: ['**/*.test.js'],
	testTimeout: 90000,
	maxWorkers: 1,
	reporters: ['default', ['<rootDir>/build/test/support/summaryReporter.js', { label: 'e2e' }]],
};
