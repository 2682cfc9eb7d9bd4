import { readPackageCatalog } from './packageCatalog';

/**
 * `node catalogProbe.js <packageDir>`: prints the package's catalog as JSON. Run by
 * `probePackageCatalog` on n8n's Node with n8n's modules on NODE_PATH.
 */
const packageDir = process.argv[2];
if (!packageDir) {
	process.stderr.write('usage: catalogProbe <packageDir>\n');
	process.exit(2);
}
try {
	process.stdout.write(JSON.stringify(readPackageCatalog(packageDir)));
} catch (error) {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
}
