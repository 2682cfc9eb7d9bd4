/**
 * A local PORTERS (HRBC) API for tests, benchmarks and demos: the simulator contract of
 * ../shared/docs/porters-api.md §7 with a switch for every unverified point of §8, billed-call
 * counters, rate limits and fault injection. Plain HTTP on 127.0.0.1; the credential's protocol
 * field allows http for local hosts only.
 *
 * Admin endpoints (not billed) under /__sandbox/ let another process (the e2e harness) read and
 * change the state: see `handleAdmin`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback';

import {
	childElements,
	element,
	parseXml,
	serializeXml,
	textOf,
	type XmlElement,
} from '../../core/porters/xml';
import seed from './seed.json';
import { optionReadItems } from './optionRead';
import {
	fieldTypeCode,
	PortersCodeError,
	PortersStore,
	RESOURCES,
	resourceByValue,
	type PortersFixture,
	type ResourceName,
	type StoredRecord,
	type WriteInput,
} from './store';
import { DEFAULT_SWITCHES, SWITCH_TABLE, checkSwitches, type PortersSwitches } from './switches';

export const DEFAULT_FIXTURE = seed as unknown as PortersFixture;

export {
	DEFAULT_SWITCHES,
	SWITCH_TABLE,
	WIRE_SHAPE_SWITCHES,
	checkSwitches,
	pairwiseMatrix,
	parseSwitchAssignment,
	switchMatrix,
	type PortersSwitches,
	type SwitchInfo,
	type SwitchName,
	type TransportSwitches,
} from './switches';

export interface PortersCounters {
	/** Every request to /v1/ (billed by PORTERS, authentication included). */
	billed: number;
	reads: number;
	writes: number;
	/** `/v1/oauth` plus `/v1/token` calls. */
	auth: number;
	oauth: number;
	token: number;
	/** Successful token issues: new codes exchanged, and refreshes. */
	tokensIssued: number;
	refreshes: number;
	rateLimited: number;
	faults: number;
	overQuota: number;
	/** Items received in write requests. */
	itemsWritten: number;
	/** Requests refused whole for their size (U11); billed, nothing written. */
	oversize: number;
	byEndpoint: Record<string, number>;
}

export type FaultRule = {
	/** `code`: a PORTERS result code (default 9); `status`: a bare HTTP status (default 503);
	 * `reset`: the connection is cut; `slow`: the answer is delayed, then given normally. */
	kind: 'code' | 'status' | 'reset' | 'slow';
	code?: number;
	status?: number;
	delayMs?: number;
	/** How many matching requests it hits (default 1); ignored when `probability` is set. */
	times?: number;
	probability?: number;
	/** Which requests: `read`, `write`, `auth` or any (default: read and write). */
	target?: 'read' | 'write' | 'auth' | 'any';
	/** Only requests whose path starts with this, e.g. `/v1/candidate`. */
	path?: string;
};

export interface PortersSandboxOptions {
	fixture?: PortersFixture;
	switches?: Partial<PortersSwitches>;
	/** Clock for tokens and record dates; defaults to the real time. */
	now?: () => number;
	/** Seed for probabilistic faults, so runs are repeatable. */
	seed?: number;
}

interface TokenEntry {
	expiresAt: number;
}

/** Codes about the access token (101, 401, 402), answered with `tokenErrorHttpStatus`. */
class TokenCodeError extends PortersCodeError {}

function emptyCounters(): PortersCounters {
	return {
		billed: 0,
		reads: 0,
		writes: 0,
		auth: 0,
		oauth: 0,
		token: 0,
		tokensIssued: 0,
		refreshes: 0,
		rateLimited: 0,
		faults: 0,
		overQuota: 0,
		itemsWritten: 0,
		oversize: 0,
		byEndpoint: {},
	};
}

function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const RESOURCE_PATHS: Record<string, ResourceName> = {
	'/v1/candidate': 'candidate',
	'/v1/resume': 'resume',
	'/v1/activity': 'activity',
};

class RateWindow {
	private stamps: number[] = [];
	hit(now: number, limit: number): boolean {
		this.stamps = this.stamps.filter((t) => t > now - 60_000);
		if (this.stamps.length >= limit) return false;
		this.stamps.push(now);
		return true;
	}
	clear() {
		this.stamps = [];
	}
}

export class PortersSandbox {
	switches: PortersSwitches;
	counters: PortersCounters = emptyCounters();
	store: PortersStore;
	private fixture: PortersFixture;
	private readonly now: () => number;
	private readonly random: () => number;
	private server?: http.Server;
	private port = 0;
	private faults: FaultRule[] = [];
	private codes = new Map<string, TokenEntry & { used: boolean }>();
	private accessTokens = new Map<string, TokenEntry>();
	private refreshTokens = new Map<string, TokenEntry>();
	private readonly readWindow = new RateWindow();
	private readonly writeWindow = new RateWindow();
	/** Empty reads held by `emptyReadRendezvous`, by path and condition: how to answer each. */
	private readonly heldEmptyReads = new Map<string, Array<() => void>>();

	constructor(options: PortersSandboxOptions = {}) {
		this.now = options.now ?? (() => Date.now());
		this.random = mulberry32(options.seed ?? 20260101);
		this.fixture = options.fixture ?? DEFAULT_FIXTURE;
		this.switches = { ...DEFAULT_SWITCHES, ...checkSwitches(options.switches ?? {}) };
		this.store = new PortersStore(this.fixture, this.now, this.switches);
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** `127.0.0.1:<port>`, what goes into the credential's host field (protocol http). */
	get host(): string {
		return `127.0.0.1:${this.port}`;
	}

	get app() {
		return { ...this.fixture.app };
	}

	get partitionId(): number {
		return this.fixture.partitions[0].id;
	}

	async start(port = 0): Promise<number> {
		const server = http.createServer((req, res) => {
			this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent) {
					res.writeHead(500, { 'content-type': 'text/plain' });
				}
				res.end(`sandbox error: ${error.message}`);
			});
		});
		this.server = server;
		this.port = await listenOnLoopback(server, port);
		return this.port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await closeServer(server);
	}

	/** Back to the fixture (or a new one): records, tokens, counters, faults; switches kept. */
	reset(fixture?: PortersFixture): void {
		if (fixture) this.fixture = fixture;
		this.store = new PortersStore(this.fixture, this.now, this.switches);
		this.counters = emptyCounters();
		this.faults = [];
		this.codes.clear();
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.readWindow.clear();
		this.writeWindow.clear();
	}

	resetCounters(): void {
		this.counters = emptyCounters();
	}

	/** Changes switches; unknown names and values of the wrong kind are refused (see SWITCH_TABLE). */
	setSwitches(patch: Partial<PortersSwitches>): void {
		Object.assign(this.switches, checkSwitches(patch));
	}

	injectFaults(rules: FaultRule | FaultRule[]): void {
		this.faults.push(...(Array.isArray(rules) ? rules : [rules]).map((r) => ({ ...r })));
	}

	clearFaults(): void {
		this.faults = [];
	}

	/** Expires every issued access token now (and refresh tokens too, if asked). */
	expireTokens(refreshAlso = false): void {
		const past = this.now() - 1;
		for (const entry of this.accessTokens.values()) entry.expiresAt = past;
		if (refreshAlso) for (const entry of this.refreshTokens.values()) entry.expiresAt = past;
	}

	/** Changes a record as a recruiter would in the PORTERS UI (its update date becomes now). */
	touch(resource: ResourceName, id: number, fields: StoredRecord = {}): StoredRecord {
		return this.store.touch(resource, id, fields);
	}

	// -------------------------------------------------------------------------------------------

	private xml(res: http.ServerResponse, status: number, root: XmlElement): void {
		const decl =
			this.switches.xmlDeclaration === 'standalone'
				? true
				: this.switches.xmlDeclaration === 'plain'
					? '<?xml version="1.0"?>'
					: false;
		const body = serializeXml(root, { declaration: decl });
		res.writeHead(status, { 'content-type': this.switches.contentType });
		res.end(body);
	}

	private statusFor(code: number, fallback: number): number {
		return this.switches.statusByCode[code] ?? fallback;
	}

	private resourceError(res: http.ServerResponse, rootName: string, code: number, token = false): void {
		const status = this.statusFor(code, token ? this.switches.tokenErrorHttpStatus : this.switches.errorHttpStatus);
		const root = this.switches.errorRoot === 'system' ? 'System' : rootName;
		this.xml(res, status, element(root, [element('Code', [String(code)])]));
	}

	private authError(res: http.ServerResponse, code: number, message: string): void {
		this.xml(
			res,
			this.switches.authErrorHttpStatus,
			element('Authentication', [element('Error', [String(code)]), element('Message', [message])]),
		);
	}

	private takeFault(kind: 'read' | 'write' | 'auth', path: string): FaultRule | undefined {
		for (let i = 0; i < this.faults.length; i++) {
			const rule = this.faults[i];
			const target = rule.target ?? 'resource';
			const matchesTarget =
				target === 'any' || target === kind || (target === 'resource' && kind !== 'auth');
			if (!matchesTarget || (rule.path && !path.startsWith(rule.path))) continue;
			if (rule.probability !== undefined) {
				if (this.random() < rule.probability) return rule;
				continue;
			}
			rule.times = (rule.times ?? 1) - 1;
			if (rule.times <= 0) this.faults.splice(i, 1);
			return rule;
		}
		return undefined;
	}

	/**
	 * `emptyReadRendezvous`: an empty answer (taken before the wait) waits for the others with the
	 * same key, so that concurrent finds for the same new record all find nothing.
	 */
	private async holdEmptyRead(key: string): Promise<void> {
		const { emptyReadRendezvous: count, emptyReadRendezvousMs: maxMs } = this.switches;
		if (count < 2) return;
		const group = this.heldEmptyReads.get(key) ?? [];
		this.heldEmptyReads.set(key, group);
		const releaseAll = () => {
			if (this.heldEmptyReads.get(key) === group) this.heldEmptyReads.delete(key);
			for (const release of group.splice(0)) release();
		};
		const answered = new Promise<void>((resolve) => group.push(resolve));
		if (group.length >= count) releaseAll();
		const timer = setTimeout(releaseAll, maxMs);
		await answered;
		clearTimeout(timer);
	}

	private async readBody(req: http.IncomingMessage): Promise<Buffer> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox');
		const path = url.pathname.replace(/\/+$/, '');
		if (path.startsWith('/__sandbox')) return this.handleAdmin(req, res, url, path);
		if (!path.startsWith('/v1/')) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not found');
			return;
		}

		const body = req.method === 'POST' ? await this.readBody(req) : Buffer.alloc(0);
		const kind: 'read' | 'write' | 'auth' =
			path === '/v1/oauth' || path === '/v1/token' ? 'auth' : req.method === 'POST' ? 'write' : 'read';
		const c = this.counters;
		c.billed++;
		if (c.billed > this.switches.monthlyQuota) c.overQuota++;
		c.byEndpoint[`${req.method} ${path}`] = (c.byEndpoint[`${req.method} ${path}`] ?? 0) + 1;
		if (kind === 'auth') {
			c.auth++;
			if (path === '/v1/oauth') c.oauth++;
			else c.token++;
		} else if (kind === 'read') {
			c.reads++;
		} else {
			c.writes++;
		}

		const fault = this.takeFault(kind, path);
		if (fault) {
			c.faults++;
			if (fault.kind === 'reset') {
				req.socket.destroy();
				return;
			}
			if (fault.kind === 'slow') {
				await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
			} else if (fault.kind === 'status') {
				res.writeHead(fault.status ?? 503, { 'content-type': 'text/html' });
				res.end('<html><body>Service Unavailable</body></html>');
				return;
			} else {
				const code = fault.code ?? 9;
				const resource = RESOURCE_PATHS[path];
				const root = resource ? RESOURCES[resource].root : path.slice(4, 5).toUpperCase() + path.slice(5);
				if (kind === 'auth') this.authError(res, 108, 'Internal error');
				else this.resourceError(res, root, code);
				return;
			}
		}

		if (this.isOversize(req, kind, body)) {
			c.oversize++;
			return this.oversizeAnswer(res, path);
		}

		if (kind === 'auth') {
			if (path === '/v1/oauth' && req.method === 'GET') return this.handleOAuth(res, url);
			if (path === '/v1/token' && req.method === 'POST') return this.handleToken(req, res, body);
			res.writeHead(405, { 'content-type': 'text/plain' });
			res.end('method not allowed');
			return;
		}

		if (this.switches.rateLimitMode !== 'off') {
			const ok =
				kind === 'read'
					? this.readWindow.hit(this.now(), this.switches.readsPerMinute)
					: this.writeWindow.hit(this.now(), this.switches.writesPerMinute);
			if (!ok) {
				c.rateLimited++;
				if (this.switches.rateLimitMode === 'reset') {
					req.socket.destroy();
				} else {
					res.writeHead(429, { 'content-type': 'text/plain' });
					res.end('Too Many Requests');
				}
				return;
			}
		}

		const resource = RESOURCE_PATHS[path];
		const rootName = resource
			? RESOURCES[resource].root
			: ({ '/v1/partition': 'Partition', '/v1/user': 'User', '/v1/field': 'Field', '/v1/option': 'Option' } as Record<string, string>)[path];
		if (!rootName) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('resource not simulated');
			return;
		}
		if (kind === 'write' && !resource) {
			res.writeHead(405, { 'content-type': 'text/plain' });
			res.end('method not allowed');
			return;
		}

		try {
			this.checkToken(req);
			const version = req.headers['x-p-connectapi-version'];
			if (version !== undefined && version !== '1' && version !== '2') throw new PortersCodeError(146, 'bad version');
			const params = url.searchParams;
			if (path === '/v1/partition') this.checkPartitionReadParams(params);
			const needsPartition = path !== '/v1/partition' || this.switches.partitionReadNeedsPartition;
			if (needsPartition || params.has('partition')) this.checkPartition(params.get('partition'));

			if (kind === 'write') return this.handleWrite(req, res, resource as ResourceName, body);
			switch (path) {
				case '/v1/partition':
					return this.handlePartition(res, params);
				case '/v1/user':
					return this.handleUser(res, params);
				case '/v1/field':
					return this.handleField(res, params);
				case '/v1/option':
					return this.handleOption(res, params);
				default: {
					const result = this.store.query(resource as ResourceName, {
						count: params.get('count'),
						start: params.get('start'),
						field: params.get('field'),
						condition: params.get('condition'),
						order: params.get('order'),
						itemstate: params.get('itemstate'),
						keywords: params.get('keywords'),
					});
					if (result.total === 0) await this.holdEmptyRead(`${path}?${params.get('condition') ?? ''}`);
					return this.readAnswer(res, rootName, result.total, result.start, result.items);
				}
			}
		} catch (error) {
			if (error instanceof PortersCodeError) {
				return this.resourceError(res, rootName, error.code, error instanceof TokenCodeError);
			}
			throw error;
		}
	}

	private readAnswer(res: http.ServerResponse, root: string, total: number, start: number, items: XmlElement[]) {
		this.xml(
			res,
			200,
			element(root, [element('Code', ['0']), ...items], {
				Total: String(total),
				Count: String(items.length),
				Start: String(start),
			}),
		);
	}

	private page<T>(all: T[], params: URLSearchParams): { items: T[]; start: number; total: number } {
		const count = params.has('count') ? Number(params.get('count')) : 10;
		const start = params.has('start') ? Number(params.get('start')) : 0;
		if (!Number.isInteger(count) || count < 1 || count > 200) {
			throw new PortersCodeError(this.switches.badCountCode, 'bad count');
		}
		if (!Number.isInteger(start) || start < 0) throw new PortersCodeError(103, 'bad start');
		return { items: all.slice(start, start + count), start, total: all.length };
	}

	// -------------------------------------------------------------------------------------------
	// Authentication

	private handleOAuth(res: http.ServerResponse, url: URL): void {
		const p = url.searchParams;
		if (p.get('app_id') !== this.fixture.app.appId) return this.authError(res, 104, 'Wrong app_id');
		const type = p.get('response_type');
		if (type !== 'code_direct') {
			// Browser flows (`code`, `remove`) are outside what a server-side client can do.
			return this.authError(res, 110, 'Wrong response_type');
		}
		if (p.has('scope')) return this.authError(res, 102, 'Wrong scope');
		if (!this.switches.grantDone || this.fixture.app.grantDone === false) {
			return this.authError(res, 115, 'Access denied');
		}
		const code = randomBytes(16).toString('hex');
		this.codes.set(code, { expiresAt: this.now() + this.switches.codeLifetimeMs, used: false });
		this.xml(
			res,
			200,
			element('Authentication', [
				element('Code', [code]),
				element('Error', ['0']),
				element('Message', ['Success']),
			]),
		);
	}

	private handleToken(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
		const type = String(req.headers['content-type'] ?? '');
		if (!/^application\/x-www-form-urlencoded/i.test(type)) return this.authError(res, 112, 'Wrong content type');
		const form = new URLSearchParams(body.toString('utf8'));
		if (form.get('app_id') !== this.fixture.app.appId) return this.authError(res, 104, 'Wrong app_id');
		if (form.get('secret') !== this.fixture.app.secret) return this.authError(res, 105, 'Wrong secret');
		const grant = form.get('grant_type');
		const code = form.get('code') ?? '';
		const now = this.now();
		if (grant === 'oauth_code') {
			const entry = this.codes.get(code);
			if (!entry || entry.used || entry.expiresAt <= now) return this.authError(res, 103, 'Wrong code');
			entry.used = true;
		} else if (grant === 'refresh_token') {
			const entry = this.refreshTokens.get(code);
			if (!entry) return this.authError(res, 107, 'Wrong refresh_token');
			if (entry.expiresAt <= now) return this.authError(res, 401, 'Refresh token expired');
			this.counters.refreshes++;
		} else {
			return this.authError(res, 112, 'Wrong grant_type');
		}
		const access = randomBytes(24).toString('hex');
		const refresh = randomBytes(24).toString('hex');
		this.accessTokens.set(access, { expiresAt: now + this.switches.accessTokenLifetimeMs });
		this.refreshTokens.set(refresh, { expiresAt: now + this.switches.refreshTokenLifetimeMs });
		this.counters.tokensIssued++;
		this.xml(
			res,
			200,
			element('Authentication', [
				element('AccessToken', [access]),
				element('AccessTokenExpiresIn', [String(this.switches.accessTokenLifetimeMs)]),
				element('RefreshToken', [refresh]),
				element('RefreshTokenExpiresIn', [String(this.switches.refreshTokenLifetimeMs)]),
				element('Error', ['0']),
				element('Message', ['Success']),
			]),
		);
	}

	private checkToken(req: http.IncomingMessage): void {
		const token = req.headers['x-porters-hrbc-oauth-token'];
		if (typeof token !== 'string' || token === '') throw new TokenCodeError(101, 'token not set');
		const entry = this.accessTokens.get(token);
		if (!entry) throw new TokenCodeError(402, 'token invalid');
		if (entry.expiresAt <= this.now()) throw new TokenCodeError(401, 'token expired');
	}

	private checkPartition(raw: string | null): void {
		if (raw === null || raw === '') throw new PortersCodeError(101, 'partition missing');
		if (!/^\d+$/.test(raw)) throw new PortersCodeError(103, 'partition not numeric');
		const id = Number(raw);
		const reachable = this.switches.multiPartition ? this.fixture.partitions : this.fixture.partitions.slice(0, 1);
		if (!reachable.some((p) => p.id === id)) throw new PortersCodeError(404, 'no such partition');
	}

	/** C2: Partition Read documents only request_type, count and start. */
	private checkPartitionReadParams(params: URLSearchParams): void {
		if (!this.switches.partitionReadRejectsUndocumented) return;
		const documented = new Set(['request_type', 'count', 'start']);
		for (const name of params.keys()) {
			if (!documented.has(name)) {
				throw new PortersCodeError(this.switches.undocumentedParamCode, `undocumented parameter ${name}`);
			}
		}
	}

	/**
	 * U11: a request over the configured size is refused whole, before anything is parsed, so
	 * nothing is written. It has reached PORTERS, so it is billed like every other call.
	 */
	private isOversize(req: http.IncomingMessage, kind: 'read' | 'write' | 'auth', body: Buffer): boolean {
		const maxBytes = this.switches.maxRequestBytes;
		if (maxBytes > 0 && Buffer.byteLength(req.url ?? '') + body.length > maxBytes) return true;
		const maxBody = this.switches.maxWriteBodySize;
		if (maxBody <= 0 || kind !== 'write') return false;
		const size =
			this.switches.writeSizeUnit === 'bytes' ? body.length : Array.from(body.toString('utf8')).length;
		return size > maxBody;
	}

	private oversizeAnswer(res: http.ServerResponse, path: string): void {
		const code = this.switches.oversizeResultCode;
		const status = this.switches.oversizeHttpStatus;
		if (code === null) {
			res.writeHead(status, { 'content-type': 'text/plain' });
			res.end('Request too long');
			return;
		}
		const resource = RESOURCE_PATHS[path];
		const root = this.switches.errorRoot === 'system' ? 'System' : resource ? RESOURCES[resource].root : 'System';
		this.xml(res, status, element(root, [element('Code', [String(code)])]));
	}

	// -------------------------------------------------------------------------------------------
	// Masters

	private handlePartition(res: http.ServerResponse, params: URLSearchParams): void {
		const type = params.get('request_type') ?? '1';
		if (type !== '0' && type !== '1') throw new PortersCodeError(103, 'bad request_type');
		const reachable = this.switches.multiPartition ? this.fixture.partitions : this.fixture.partitions.slice(0, 1);
		const list = type === '0' ? reachable.slice(0, 1) : reachable;
		const { items, start, total } = this.page(list, params);
		this.readAnswer(
			res,
			'Partition',
			total,
			start,
			items.map((p) =>
				element('Item', [
					element('Partition.P_Id', [String(p.id)]),
					element('Partition.P_Name', [p.name]),
					element('Partition.P_CompanyId', [p.companyId]),
				]),
			),
		);
	}

	private handleUser(res: http.ServerResponse, params: URLSearchParams): void {
		const type = params.get('request_type') ?? '1';
		if (type !== '0' && type !== '1') throw new PortersCodeError(103, 'bad request_type');
		// U17: request_type=0 answers with the app user the token acts as.
		const list =
			type === '0'
				? this.fixture.users.filter((u) => u.id === this.fixture.app.appUserId)
				: this.fixture.users;
		const { items, start, total } = this.page(list, params);
		this.readAnswer(
			res,
			'User',
			total,
			start,
			items.map((u) =>
				element('Item', [
					element('User.P_Type', [String(u.type)]),
					element('User.P_Id', [String(u.id)]),
					element('User.P_Name', [u.name]),
					element('User.P_Mail', [u.mail]),
				]),
			),
		);
	}

	private handleField(res: http.ServerResponse, params: URLSearchParams): void {
		const raw = params.get('resource');
		if (raw === null) throw new PortersCodeError(101, 'resource missing');
		const info = resourceByValue(Number(raw));
		if (!info) throw new PortersCodeError(103, 'resource not simulated');
		const { items, start, total } = this.page(this.store.fields(info.name), params);
		this.readAnswer(
			res,
			'Field',
			total,
			start,
			items.map((f) =>
				element('Item', [
					element('Field.P_Id', [String(f.id)]),
					element('Field.P_Name', [f.name]),
					element('Field.P_Alias', [f.alias]),
					element('Field.P_Type', [String(fieldTypeCode(f.type))]),
					element('Field.P_Required', [f.required ? '1' : '0']),
					element('Field.P_Max', f.max !== undefined ? [String(f.max)] : []),
					element('Field.P_Min', []),
					element('Field.P_DecimalFraction', []),
					element('Field.P_ReferTo', f.options ? [element(f.options)] : []),
					element('Field.P_ResourceType', [String(info.value)]),
				]),
			),
		);
	}

	private handleOption(res: http.ServerResponse, params: URLSearchParams): void {
		const items = optionReadItems(
			this.store.optionTree(),
			{
				level: params.get('level'),
				alias: params.get('alias'),
				enabled: params.get('enabled'),
				count: params.get('count'),
			},
			this.switches,
		);
		// Option Read has no Total/Count/Start.
		this.xml(res, 200, element('Option', [element('Code', ['0']), ...items]));
	}

	// -------------------------------------------------------------------------------------------
	// Writes

	private handleWrite(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		resource: ResourceName,
		body: Buffer,
	): void {
		const root = RESOURCES[resource].root;
		const type = String(req.headers['content-type'] ?? '').toLowerCase().replace(/\s+/g, '');
		if (!type.startsWith('application/xml') || !/charset=utf-8/.test(type)) {
			throw new PortersCodeError(101, 'Content-Type with charset=UTF-8 required');
		}
		let doc: XmlElement;
		try {
			doc = parseXml(body.toString('utf8'));
		} catch {
			throw new PortersCodeError(103, 'malformed XML');
		}
		if (doc.name !== root) throw new PortersCodeError(100, `root must be <${root}>`);
		const items = childElements(doc).filter((e) => e.name === 'Item');
		if (items.length === 0) throw new PortersCodeError(101, 'no items');
		// U8 [GUESS]: a request-level failure is a root <Code>; 102 for more than 200 items.
		if (items.length > 200) throw new PortersCodeError(102, 'more than 200 items');
		this.counters.itemsWritten += items.length;
		const results = items.map((item) => {
			const input: WriteInput = {};
			for (const field of childElements(item)) {
				const kids = childElements(field);
				input[field.name] = kids.length > 0 ? kids.map((k) => k.name) : textOf(field);
			}
			return this.store.writeItem(resource, input, this.fixture.app.appUserId);
		});
		this.xml(
			res,
			200,
			element(
				root,
				results.map((r) =>
					element('Item', [element('Id', [String(r.id)]), element('Code', [String(r.code)])]),
				),
			),
		);
	}

	// -------------------------------------------------------------------------------------------
	// Admin (JSON, not billed)

	private async handleAdmin(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		url: URL,
		path: string,
	): Promise<void> {
		const send = (status: number, data: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
			res.end(JSON.stringify(data));
		};
		const raw = await this.readBody(req);
		let body: Record<string, unknown> = {};
		if (raw.length > 0) {
			try {
				body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
			} catch {
				return send(400, { error: 'body must be JSON' });
			}
		}
		const method = req.method ?? 'GET';
		const parts = path.split('/').filter((p) => p !== '').slice(1);
		const [section, resourceName, idText] = parts;
		try {
			if (section === 'state' && method === 'GET') {
				return send(200, {
					url: this.url,
					app: this.fixture.app,
					partitionId: this.partitionId,
					counters: this.counters,
					switches: this.switches,
					faults: this.faults,
					records: Object.fromEntries(
						(Object.keys(RESOURCES) as ResourceName[]).map((r) => [r, this.store.records[r].size]),
					),
				});
			}
			if (section === 'reset' && method === 'POST') {
				this.reset(body.fixture as PortersFixture | undefined);
				return send(200, { ok: true });
			}
			if (section === 'counters' && method === 'POST') {
				this.resetCounters();
				return send(200, { ok: true });
			}
			if (section === 'switches' && method === 'GET') {
				return send(200, SWITCH_TABLE.map((entry) => ({ ...entry, current: this.switches[entry.name] })));
			}
			if (section === 'switches' && method === 'POST') {
				this.setSwitches(body as Partial<PortersSwitches>);
				return send(200, this.switches);
			}
			if (section === 'faults') {
				if (method === 'DELETE') {
					this.clearFaults();
					return send(200, { ok: true });
				}
				if (method === 'POST') {
					this.injectFaults((body.rules ?? body) as FaultRule | FaultRule[]);
					return send(200, { faults: this.faults });
				}
			}
			if (section === 'tokens' && resourceName === 'expire' && method === 'POST') {
				this.expireTokens(body.refresh === true);
				return send(200, { ok: true });
			}
			if (section === 'records' && resourceName && resourceName in RESOURCES) {
				const resource = resourceName as ResourceName;
				if (!idText && method === 'GET') {
					const condition = url.searchParams.get('where');
					let list = this.store.snapshot(resource);
					if (condition) {
						const [alias, value] = condition.split('=');
						list = list.filter((r) => String(r[alias]) === value);
					}
					return send(200, list);
				}
				if (!idText && method === 'POST') {
					// One record, or `{ "records": [...] }` for bulk data (benchmarks).
					const bulk = (body as { records?: StoredRecord[] }).records;
					if (Array.isArray(bulk)) {
						const ids = bulk.map((record) => this.store.insert(resource, record));
						return send(201, { inserted: ids.length, firstId: ids[0], lastId: ids[ids.length - 1] });
					}
					const id = this.store.insert(resource, body as StoredRecord);
					return send(201, this.store.records[resource].get(id));
				}
				const id = Number(idText);
				if (method === 'GET') {
					const record = this.store.records[resource].get(id);
					return record ? send(200, record) : send(404, { error: 'not found' });
				}
				if (method === 'PATCH') return send(200, this.touch(resource, id, body as StoredRecord));
				if (method === 'DELETE') return send(this.store.remove(resource, id) ? 200 : 404, { ok: true });
			}
		} catch (error) {
			return send(400, { error: (error as Error).message });
		}
		return send(404, {
			error: 'unknown admin endpoint',
			endpoints: [
				'GET /__sandbox/state',
				'POST /__sandbox/reset {fixture?}',
				'POST /__sandbox/counters (reset counters)',
				'GET /__sandbox/switches (table: name, point, values, current)',
				'POST /__sandbox/switches {…}',
				'POST|DELETE /__sandbox/faults {rules}',
				'POST /__sandbox/tokens/expire {refresh?}',
				'GET|POST /__sandbox/records/{candidate|resume|activity}[?where=alias=value] (POST {records:[…]} for bulk)',
				'GET|PATCH|DELETE /__sandbox/records/{resource}/{id}',
			],
		});
	}
}
