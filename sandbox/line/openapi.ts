/**
 * LINE's OpenAPI files as a request and payload validator.
 *
 * The YAML is read at runtime from the shared folder (never copied into the repository) and turned
 * into one JSON Schema document for ajv. Two OpenAPI habits need translating:
 * - `discriminator` on a base schema whose subtypes `allOf` the base. A generic validator ignores it,
 *   so a text message without `text` would pass. Each such base gets two definitions: `X__base` (its
 *   own properties, used inside the subtypes' `allOf`) and `X` (the base plus an if/then per mapping
 *   entry, used everywhere else), so the subtype's required fields are enforced.
 * - OpenAPI 3.0 keywords that JSON Schema does not know (`nullable`, boolean `exclusiveMinimum`,
 *   `example`, `externalDocs`, custom formats) are converted or dropped.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * LINE's spec files live in `shared/line-openapi/` beside the repository (this file runs from
 * `build/sandbox/line/`); `LINE_OPENAPI_DIR` points elsewhere.
 */
const SPEC_DIR =
	process.env.LINE_OPENAPI_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'line-openapi');
export const DEFAULT_MESSAGING_SPEC_PATH = join(SPEC_DIR, 'messaging-api.yml');
export const DEFAULT_WEBHOOK_SPEC_PATH = join(SPEC_DIR, 'webhook.yml');

/** One violation in LINE's error shape: `{ message, property }` with `messages[0].text`-style paths. */
export interface ErrorDetail {
	message: string;
	property: string;
}

export interface SpecParameter {
	name: string;
	in: 'path' | 'query' | 'header' | 'cookie';
	required: boolean;
}

export interface SpecOperation {
	method: string;
	pathTemplate: string;
	operationId: string;
	parameters: SpecParameter[];
	/** Component schema name of the JSON request body, when the operation has one. */
	bodySchema?: string;
	bodyRequired: boolean;
	/** Content type of the request body as declared (e.g. `application/json`, `multipart/form-data`). */
	bodyContentType?: string;
	/** Which LINE host serves it: `data` for operations declared on `https://api-data.line.me`. */
	host: 'api' | 'data';
	/** Declared responses by status code: content type and component schema (JSON ones). */
	responses: Record<string, DeclaredResponse>;
}

export interface DeclaredResponse {
	contentType?: string;
	/** Component schema name, for JSON responses that reference one. */
	schema?: string;
}

export type RouteMatch =
	| { kind: 'ok'; operation: SpecOperation; pathParams: Record<string, string> }
	| { kind: 'notFound' };

export interface SpecOptions {
	/**
	 * Reject discriminator values that are not in the mapping (LINE rejects an unknown message
	 * type). Off for webhook payloads, where LINE may add event types without notice.
	 */
	closedDiscriminators?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const KNOWN_FORMATS = new Set([
	'uri',
	'uuid',
	'date-time',
	'date',
	'int32',
	'int64',
	'float',
	'double',
	'email',
	'byte',
	'binary',
]);

const DROPPED_KEYWORDS = new Set([
	'description',
	'externalDocs',
	'example',
	'examples',
	'discriminator',
	'deprecated',
	'readOnly',
	'writeOnly',
	'xml',
	'title',
	'default',
	'nullable',
]);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface CompiledRoute {
	regex: RegExp;
	names: string[];
	operations: Map<string, SpecOperation>;
	/** Literal paths win over templated ones (`/richmenu/list` before `/richmenu/{id}`). */
	literal: boolean;
}

export class OpenApiSpec {
	readonly operations: SpecOperation[] = [];
	private readonly routes: CompiledRoute[] = [];
	private readonly ajv: Ajv;
	private readonly docId: string;
	private readonly validators = new Map<string, ValidateFunction>();
	readonly schemaNames: Set<string>;

	private static readonly cache = new Map<string, OpenApiSpec>();

	/** Loads (once per path and options) and prepares a spec. */
	static load(path: string, options: SpecOptions = {}): OpenApiSpec {
		const key = `${path}|${options.closedDiscriminators ? 'closed' : 'open'}`;
		let spec = OpenApiSpec.cache.get(key);
		if (!spec) {
			spec = new OpenApiSpec(readSpecDocument(path), options, key);
			OpenApiSpec.cache.set(key, spec);
		}
		return spec;
	}

	/** @param source YAML text, or an already parsed document */
	constructor(source: string | object, options: SpecOptions = {}, id = 'line-spec') {
		const doc = (typeof source === 'string' ? parseYaml(source) : source) as JsonObject;
		const components = ((doc.components as JsonObject | undefined)?.schemas ?? {}) as JsonObject;
		this.schemaNames = new Set(Object.keys(components));
		this.docId = `urn:sandbox:${id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
		const defs = buildDefinitions(components, options.closedDiscriminators === true);
		this.ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: true });
		addFormats(this.ajv);
		this.ajv.addSchema({ $id: this.docId, $defs: defs });
		this.collectOperations((doc.paths ?? {}) as JsonObject);
	}

	/** Finds the operation for a method and concrete path (`/v2/bot/profile/U…`). */
	match(method: string, path: string): RouteMatch {
		const wanted = method.toLowerCase();
		for (const literalPass of [true, false]) {
			for (const route of this.routes) {
				if (route.literal !== literalPass) continue;
				const found = route.regex.exec(path);
				if (!found) continue;
				const operation = route.operations.get(wanted);
				if (!operation) continue;
				const pathParams: Record<string, string> = {};
				route.names.forEach((name, index) => {
					pathParams[name] = decodeURIComponent(found[index + 1]);
				});
				return { kind: 'ok', operation, pathParams };
			}
		}
		return { kind: 'notFound' };
	}

	/**
	 * Checks an answer against what the operation declares for its status: a declared status, a
	 * matching content type (`*\/*` takes any) and, for JSON, the schema. Empty when it conforms.
	 */
	validateResponse(operation: SpecOperation, status: number, contentType: string, body: unknown): ErrorDetail[] {
		const declared = operation.responses[String(status)];
		if (!declared) return [{ message: `status ${status} is not declared`, property: 'status' }];
		const type = contentType.split(';')[0].trim().toLowerCase();
		if (declared.contentType && declared.contentType !== '*/*' && declared.contentType !== type) {
			return [{ message: `content type ${type} is not ${declared.contentType}`, property: 'content-type' }];
		}
		return declared.schema ? this.validate(declared.schema, body) : [];
	}

	/** Validates data against a component schema; returns LINE-style details (empty when valid). */
	validate(schemaName: string, data: unknown): ErrorDetail[] {
		let validator = this.validators.get(schemaName);
		if (!validator) {
			if (!this.schemaNames.has(schemaName)) throw new Error(`Unknown schema ${schemaName}`);
			validator = this.ajv.compile({ $ref: `${this.docId}#/$defs/${schemaName}` });
			this.validators.set(schemaName, validator);
		}
		if (validator(data)) return [];
		return toLineDetails(validator.errors ?? []);
	}

	private collectOperations(paths: JsonObject): void {
		for (const [template, item] of Object.entries(paths)) {
			const pathItem = item as JsonObject;
			const names: string[] = [];
			const pattern = template
				.split(/(\{[^}]+\})/)
				.map((part) => {
					const param = /^\{([^}]+)\}$/.exec(part);
					if (param) {
						names.push(param[1]);
						return '([^/]+)';
					}
					return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
				})
				.join('');
			const route: CompiledRoute = {
				regex: new RegExp(`^${pattern}$`),
				names,
				operations: new Map(),
				literal: names.length === 0,
			};
			const shared = (pathItem.parameters ?? []) as JsonObject[];
			for (const method of HTTP_METHODS) {
				const op = pathItem[method] as JsonObject | undefined;
				if (!op) continue;
				const parameters = [...shared, ...((op.parameters ?? []) as JsonObject[])].map(
					(p): SpecParameter => ({
						name: String(p.name),
						in: p.in as SpecParameter['in'],
						required: p.required === true,
					}),
				);
				const requestBody = op.requestBody as JsonObject | undefined;
				const content = (requestBody?.content ?? {}) as JsonObject;
				const contentType = Object.keys(content)[0];
				const bodyRef = contentType
					? ((content[contentType] as JsonObject).schema as JsonObject | undefined)?.$ref
					: undefined;
				const servers = (op.servers ?? []) as JsonObject[];
				const operation: SpecOperation = {
					method: method.toUpperCase(),
					pathTemplate: template,
					operationId: String(op.operationId ?? `${method} ${template}`),
					parameters,
					bodySchema: typeof bodyRef === 'string' ? refName(bodyRef) : undefined,
					bodyRequired: requestBody?.required === true,
					bodyContentType: contentType,
					host: servers.some((server) => String(server.url).includes('api-data.')) ? 'data' : 'api',
					responses: declaredResponses((op.responses ?? {}) as JsonObject),
				};
				route.operations.set(method, operation);
				this.operations.push(operation);
			}
			this.routes.push(route);
		}
	}
}

function declaredResponses(responses: JsonObject): Record<string, DeclaredResponse> {
	const out: Record<string, DeclaredResponse> = {};
	for (const [status, value] of Object.entries(responses)) {
		const content = ((value as JsonObject).content ?? {}) as JsonObject;
		const contentType = Object.keys(content)[0];
		const ref = contentType ? ((content[contentType] as JsonObject).schema as JsonObject | undefined)?.$ref : undefined;
		out[status] = { contentType, schema: typeof ref === 'string' ? refName(ref) : undefined };
	}
	return out;
}

/**
 * Parsing the 180 KB YAML takes about a second, and every test file loads it again, so the parsed
 * document is kept as JSON in the OS temp folder, keyed by a hash of the YAML text.
 */
function readSpecDocument(path: string): object {
	const text = readFileSync(path, 'utf8');
	const digest = createHash('sha256').update(text).digest('hex').slice(0, 32);
	const cacheDir = join(tmpdir(), 'line-sandbox-openapi');
	const cacheFile = join(cacheDir, `${digest}.json`);
	try {
		return JSON.parse(readFileSync(cacheFile, 'utf8')) as object;
	} catch {
		// not cached yet (or unreadable): parse and try to cache
	}
	const doc = parseYaml(text) as object;
	try {
		mkdirSync(cacheDir, { recursive: true });
		const partial = `${cacheFile}.${process.pid}.tmp`;
		writeFileSync(partial, JSON.stringify(doc));
		renameSync(partial, cacheFile);
	} catch {
		// a read-only temp folder only costs speed
	}
	return doc;
}

function refName(ref: string): string {
	return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Builds `$defs` for every component schema, splitting discriminator bases as described above. */
function buildDefinitions(components: JsonObject, closed: boolean): JsonObject {
	// subtype name → bases whose discriminator maps to it
	const basesOf = new Map<string, Set<string>>();
	for (const [name, schema] of Object.entries(components)) {
		const discriminator = (schema as JsonObject).discriminator as JsonObject | undefined;
		const mapping = (discriminator?.mapping ?? {}) as JsonObject;
		for (const target of Object.values(mapping)) {
			const subtype = refName(String(target));
			if (!basesOf.has(subtype)) basesOf.set(subtype, new Set());
			basesOf.get(subtype)!.add(name);
		}
	}

	const defs: JsonObject = {};
	for (const [name, raw] of Object.entries(components)) {
		const schema = raw as JsonObject;
		const bases = basesOf.get(name) ?? new Set<string>();
		const converted = convertSchema(schema, bases);
		const discriminator = schema.discriminator as JsonObject | undefined;
		if (!discriminator) {
			defs[name] = converted;
			continue;
		}
		const property = String(discriminator.propertyName);
		const mapping = (discriminator.mapping ?? {}) as JsonObject;
		const dispatch: Json[] = Object.entries(mapping).map(([value, target]) => ({
			if: { properties: { [property]: { const: value } }, required: [property] },
			then: { $ref: `#/$defs/${refName(String(target))}` },
		}));
		if (closed) {
			dispatch.push({ properties: { [property]: { enum: Object.keys(mapping) } } });
		}
		defs[`${name}__base`] = converted;
		defs[name] = { allOf: [{ $ref: `#/$defs/${name}__base` }, ...dispatch] };
	}
	return defs;
}

/**
 * Converts one OpenAPI schema node. `bases` holds the discriminator bases of the schema being
 * converted, so its `allOf: [$ref base]` points at the base's own properties, not at the dispatcher.
 */
function convertSchema(node: Json, bases: Set<string>, inAllOf = false): Json {
	if (Array.isArray(node)) return node.map((item) => convertSchema(item, bases, inAllOf));
	if (node === null || typeof node !== 'object') return node;
	if (typeof node.$ref === 'string') {
		const target = refName(node.$ref);
		const useBase = inAllOf && bases.has(target);
		return { $ref: `#/$defs/${target}${useBase ? '__base' : ''}` };
	}
	const out: JsonObject = {};
	for (const [key, value] of Object.entries(node)) {
		if (DROPPED_KEYWORDS.has(key)) continue;
		if (key === 'format') {
			if (typeof value === 'string' && KNOWN_FORMATS.has(value)) out.format = value;
			continue;
		}
		if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
			const props: JsonObject = {};
			for (const [prop, propSchema] of Object.entries(value)) {
				props[prop] = convertSchema(propSchema, new Set());
			}
			out.properties = props;
			continue;
		}
		if (key === 'allOf' && Array.isArray(value)) {
			out.allOf = value.map((item) => convertSchema(item, bases, true));
			continue;
		}
		if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
			// OpenAPI 3.0 uses booleans that modify minimum/maximum.
			if (value === true) {
				const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
				out[key] = node[bound] as number;
			}
			continue;
		}
		if (key === 'additionalProperties' && typeof value === 'object') {
			out.additionalProperties = convertSchema(value, new Set());
			continue;
		}
		if (['items', 'oneOf', 'anyOf', 'not'].includes(key)) {
			out[key] = convertSchema(value, new Set());
			continue;
		}
		out[key] = value;
	}
	if (node.exclusiveMinimum === true) delete out.minimum;
	if (node.exclusiveMaximum === true) delete out.maximum;
	if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
	return out;
}

/** `/messages/0/text` → `messages[0].text` (LINE's notation for `property`). */
export function toLineProperty(instancePath: string, child?: string): string {
	const segments = instancePath
		.split('/')
		.slice(1)
		.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
	if (child !== undefined) segments.push(child);
	let out = '';
	for (const segment of segments) {
		if (/^\d+$/.test(segment)) out += `[${segment}]`;
		else out += out ? `.${segment}` : segment;
	}
	return out;
}

function describe(error: ErrorObject): string | undefined {
	const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'required':
			return 'must be specified';
		case 'minItems':
		case 'maxItems': {
			const min = (parent.minItems as number | undefined) ?? 0;
			const max = parent.maxItems as number | undefined;
			return max === undefined ? `Size must be at least ${min}` : `Size must be between ${min} and ${max}`;
		}
		case 'minLength':
		case 'maxLength': {
			const min = (parent.minLength as number | undefined) ?? 0;
			const max = parent.maxLength as number | undefined;
			if (error.keyword === 'minLength' && min === 1) return 'May not be empty';
			return max === undefined
				? `Length must be at least ${min}`
				: `Length must be between ${min} and ${max}`;
		}
		case 'minimum':
		case 'maximum':
		case 'exclusiveMinimum':
		case 'exclusiveMaximum':
			return `Must be ${params.comparison} ${params.limit}`;
		case 'enum':
			return `Must be one of the following values: [${(params.allowedValues as unknown[]).join(', ')}]`;
		case 'const':
			return `Must be ${JSON.stringify(params.allowedValue)}`;
		case 'type':
			return `Must be of type ${params.type}`;
		case 'format':
			return params.format === 'uri' ? 'Must be a valid URL' : `Invalid ${params.format} format`;
		case 'pattern':
			return `Must match ${params.pattern}`;
		case 'uniqueItems':
			return 'Items must be unique';
		case 'additionalProperties':
			return 'Unknown property';
		case 'if':
		case 'allOf':
		case 'anyOf':
		case 'oneOf':
			// Wrappers: the violations inside them are reported on their own.
			return undefined;
		default:
			return error.message ?? error.keyword;
	}
}

export function toLineDetails(errors: ErrorObject[]): ErrorDetail[] {
	const seen = new Set<string>();
	const details: ErrorDetail[] = [];
	for (const error of errors) {
		const message = describe(error);
		if (message === undefined) continue;
		const params = error.params as Record<string, unknown>;
		let property: string;
		if (error.keyword === 'required') {
			property = toLineProperty(error.instancePath, String(params.missingProperty));
		} else if (error.keyword === 'additionalProperties') {
			property = toLineProperty(error.instancePath, String(params.additionalProperty));
		} else {
			property = toLineProperty(error.instancePath);
		}
		const key = `${property}\u0000${message}`;
		if (seen.has(key)) continue;
		seen.add(key);
		details.push({ message, property });
	}
	return details;
}
