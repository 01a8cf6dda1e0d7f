/**
 * The Worker's bindings and variables, typed structurally so the PocketBrain repo's plain-Node tests
 * can pass Map-backed fakes (docs/api.md): KV needs get/put/delete, the DO namespace idFromName/get.
 */
export interface KvStore {
  get(key: string, type?: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Real KV has it; the plain-Node fakes of the PocketBrain repo may not (only the re-seal sweep lists). */
  list?(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListPage>;
}

export interface KvListPage {
  keys: { name: string; expiration?: number; metadata?: unknown }[];
  list_complete: boolean;
  cursor?: string;
}

export interface DoStub {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

export interface DoNamespace {
  idFromName(name: string): unknown;
  get(id: never): DoStub;
}

export interface WorkerEnv {
  AI_SESSIONS?: KvStore;
  CONTROL_PLANE_DO?: DoNamespace;
  KEY_ENCRYPTION_SECRET?: string;
  KEY_ENCRYPTION_SECRET_PREV?: string;
  METRICS_TOKEN?: string;
  ADMIN_TOKEN?: string;
  CLERK_JWKS_URL?: string;
  CLERK_ISSUER?: string;
  CLERK_AUDIENCE?: string;
  ALLOW_INSECURE_DEV_AUTH?: string;
  VPS_API_ORIGIN?: string;
  VPS_PROXY_TIMEOUT_MS?: string;
  VPS_PROXY_RETRIES?: string;
  VPS_PROXY_NO_RETRY_PATHS?: string;
  VPS_PROXY_IDEMPOTENT_PATHS?: string;
  VPS_PROXY_MAX_BODY_BYTES?: string;
  VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD?: string;
  VPS_PROXY_CIRCUIT_OPEN_MS?: string;
  DEFAULT_MODEL?: string;
  GEMINI_API_BASE?: string;
  OPENROUTER_API_BASE?: string;
  ALLOWED_ORIGINS?: string;
  NODE_ENV?: string;
  PROVIDER_TIMEOUT_MS?: string;
  PROVIDER_RETRIES?: string;
  PROVIDER_CIRCUIT_FAILURE_THRESHOLD?: string;
  PROVIDER_CIRCUIT_OPEN_MS?: string;
  PROVIDER_CIRCUIT_REFRESH_MS?: string;
  RATE_LIMIT_MAX?: string;
  RATE_LIMIT_WINDOW_MS?: string;
  SESSION_TTL_SECONDS?: string;
  ENABLE_DEV_ROUTES?: string;
  DEV_CLOCK_OFFSET_MS?: string;
  DEV_FAULT_CONTROL_URL?: string;
  [name: string]: unknown;
}
