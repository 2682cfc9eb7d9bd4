import { run } from '../processes/processGroups';
import type { Progress } from '../processes/progress';

/**
 * Queue mode (../shared/docs/n8n-platform.md §9): main, one worker and one webhook processor share
 * a Postgres database and a Redis queue. The database is the harness's own and is recreated per
 * run; Redis is shared with others, so the run uses a database number and a key prefix of its own
 * and only ever deletes keys under that prefix.
 */

export interface QueueBackends {
	postgres: { host: string; port: number; user: string; database: string };
	redis: { host: string; port: number; db: number; prefix: string };
}

function numberFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
	return value;
}

/**
 * Defaults fit the development machine; `LINE_PORTERS_QUEUE_*` variables override them. The
 * benchmarks use a database and key prefix of their own, so that they never touch the e2e run's.
 */
export function queueBackendsFromEnv(user: 'e2e' | 'bench' = 'e2e'): QueueBackends {
	return {
		postgres: {
			host: process.env.LINE_PORTERS_QUEUE_PG_HOST ?? '127.0.0.1',
			port: numberFromEnv('LINE_PORTERS_QUEUE_PG_PORT', 5432),
			user: process.env.LINE_PORTERS_QUEUE_PG_USER ?? 'postgres',
			database: process.env.LINE_PORTERS_QUEUE_PG_DATABASE ?? `line_porters_${user}_queue`,
		},
		redis: {
			host: process.env.LINE_PORTERS_QUEUE_REDIS_HOST ?? '127.0.0.1',
			port: numberFromEnv('LINE_PORTERS_QUEUE_REDIS_PORT', 6379),
			db: numberFromEnv('LINE_PORTERS_QUEUE_REDIS_DB', 7),
			prefix: process.env.LINE_PORTERS_QUEUE_PREFIX ?? `line-porters-${user}`,
		},
	};
}

/** The variables every n8n process (and CLI command) of a queue-mode instance gets. */
export function queueEnvironment(backends: QueueBackends): Record<string, string> {
	const { postgres, redis } = backends;
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: postgres.database,
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_REDIS_DB: String(redis.db),
		QUEUE_BULL_PREFIX: redis.prefix,
		// n8n's own Redis keys (its cache of webhooks and published workflows, instance state) go
		// under the run's prefix too: otherwise they outlive the run and the next run, whose
		// workflows have the same IDs and paths, finds stale entries (e.g. a webhook "conflict").
		N8N_REDIS_KEY_PREFIX: redis.prefix,
	};
}

/** Database names go into SQL unquoted by the caller, so only plain identifiers are accepted. */
function checkedDatabaseName(name: string): string {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
		throw new Error(`Postgres database name "${name}" must be a lower-case identifier`);
	}
	return name;
}

async function psql(postgres: QueueBackends['postgres'], sql: string, database = 'postgres'): Promise<string> {
	const { host, port, user } = postgres;
	const result = await run(
		'psql',
		['-h', host, '-p', String(port), '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql],
		{ cwd: process.cwd(), timeoutMs: 60000, description: `psql ${sql}` },
	);
	return result.stdout;
}

/** The `data` column of every credential n8n stored in the queue-mode database, one per row. */
export async function storedCredentialData(postgres: QueueBackends['postgres']): Promise<string[]> {
	const output = await psql(postgres, 'SELECT data FROM credentials_entity', checkedDatabaseName(postgres.database));
	return output.split('\n').filter((row) => row !== '');
}

async function redisCli(backends: QueueBackends, args: string[]): Promise<string> {
	const { host, port, db } = backends.redis;
	const result = await run('redis-cli', ['-h', host, '-p', String(port), '-n', String(db), ...args], {
		cwd: process.cwd(),
		timeoutMs: 60000,
		description: `redis-cli ${args.join(' ')}`,
	});
	return result.stdout;
}

/** Deletes this run's Redis keys (those under the prefix) and nothing else. */
async function clearRedisPrefix(backends: QueueBackends): Promise<number> {
	const keys = (await redisCli(backends, ['--scan', '--pattern', `${backends.redis.prefix}*`]))
		.split('\n')
		.map((key) => key.trim())
		.filter((key) => key !== '');
	for (let index = 0; index < keys.length; index += 200) {
		await redisCli(backends, ['del', ...keys.slice(index, index + 200)]);
	}
	return keys.length;
}

/** A fresh, empty database and no queue keys left from an earlier run. */
export async function resetQueueBackends(backends: QueueBackends, progress: Progress): Promise<void> {
	const database = checkedDatabaseName(backends.postgres.database);
	try {
		const pong = (await redisCli(backends, ['ping'])).trim();
		if (pong !== 'PONG') throw new Error(`answered "${pong}"`);
	} catch (error) {
		throw new Error(
			`Redis at ${backends.redis.host}:${backends.redis.port} is not usable: ${(error as Error).message}`,
		);
	}
	await psql(backends.postgres, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
	await psql(backends.postgres, `CREATE DATABASE ${database}`);
	const cleared = await clearRedisPrefix(backends);
	progress.info(
		`queue mode: Postgres database ${database} on ${backends.postgres.host}:${backends.postgres.port} ` +
			`recreated; Redis ${backends.redis.host}:${backends.redis.port} db ${backends.redis.db}, prefix ` +
			`"${backends.redis.prefix}" (${cleared} stale key(s) deleted)`,
	);
}

/** Removes what the run left in Postgres and Redis (after every n8n process has stopped). */
export async function dropQueueBackends(backends: QueueBackends): Promise<void> {
	await psql(
		backends.postgres,
		`DROP DATABASE IF EXISTS ${checkedDatabaseName(backends.postgres.database)} WITH (FORCE)`,
	);
	await clearRedisPrefix(backends);
}
