import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, for the checks that need a real browser (pages the
 * recruiters and candidates read, the n8n editor). No browser is downloaded: `.ci/run` installs the
 * `chromium` package when it is missing, and a run without it fails with a message saying so.
 */

export const CHROMIUM_PATH = process.env.LINE_PORTERS_CHROMIUM ?? '/usr/bin/chromium';

/** Without the background-networking flags Chromium keeps dialling Google on a closed network. */
const QUIET_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) ` +
				'or point LINE_PORTERS_CHROMIUM at a Chromium binary',
		);
	}
	return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: QUIET_FLAGS });
}

/**
 * The folder where a run keeps its screenshots (printed once so that CI logs say where they are).
 * `LINE_PORTERS_SCREENSHOTS` overrides it.
 */
const printedFolders = new Set<string>();

export function screenshotFolder(fallbackRoot: string): string {
	const folder = process.env.LINE_PORTERS_SCREENSHOTS ?? join(fallbackRoot, 'screenshots');
	if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
	if (!printedFolders.has(folder)) {
		printedFolders.add(folder);
		process.stdout.write(`screenshots: ${folder}\n`);
	}
	return folder;
}
