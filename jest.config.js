/** Tests run on the compiled output of `tsconfig.dev.json` (see `npm test`). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/build/test'],
	testMatch: ['**/*.test.js'],
	testPathIgnorePatterns: ['/build/test/e2e/'],
	testTimeout: 30000,
	reporters: ['default', ['<rootDir>/build/test/support/summaryReporter.js', { label: 'unit' }]],
};
