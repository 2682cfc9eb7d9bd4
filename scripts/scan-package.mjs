// Runs the community package scanner's `analyzePackage` on the source tree and on the tarball
// that `npm pack` would publish (extracted to a temporary folder). Exits non-zero on any error.
/* eslint-disable no-console */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(process.argv[2] ?? '.');
const work = mkdtempSync(join(tmpdir(), 'line-porters-scan-'));
let failed = false;

async function leg(name, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	console.log(`scanner (${name}): ${result.passed ? 'passed' : result.message}`);
	if (!result.passed) {
		failed = true;
		if (result.details) console.log(result.details);
	}
}

try {
	await leg('source', root, SOURCE_FILE_PATTERNS);
	const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const tarball = join(work, JSON.parse(out)[0].filename);
	execFileSync('tar', ['xzf', tarball, '-C', work]);
	await leg('tarball', join(work, 'package'), ['**/*.js', 'package.json']);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
