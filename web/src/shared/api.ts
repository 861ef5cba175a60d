/**
 * JSON client for the Dang'an REST API (/api/v1/...).
 *
 * Every failure (network, timeout, non-2xx, bad JSON) rejects with an ApiError whose message
 * is Chinese and fit to show to a person; the server's error body
 * {"error":{"code","message","field","retry_after"}} is used when present.
 *
 * The session cookie is HttpOnly: the client only keeps the CSRF token (from a log-in answer
 * or GET /api/v1/session) and sends it as X-CSRF-Token on every state-changing request, with
 * X-Dangan-Channel naming the app. A 401 on a call that needs a session goes to the app's
 * log-in page (configureApi's onUnauthorized); log-in calls opt out with `auth: false`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Seconds to wait before trying again (429, locked accounts). */
    readonly retryAfter?: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Channel = 'web' | 'mobile' | 'kiosk' | 'staff'
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  /** false: a 401 is an ordinary error (log-in forms, session probes), no redirect. */
  auth?: boolean
  /** Adds an Idempotency-Key header (POSTs that create something). */
  idempotent?: boolean
  /** Extra request headers (e.g. X-Dangan-Purpose: what must not travel in the URL). */
  headers?: Record<string, string>
}

const TIMEOUT_MS = 15_000
const API_ROOT = '/api/v1'
const UNAVAILABLE = '服务暂不可用，请稍后再试。'

let channel: Channel = 'web'
let csrfToken: string | null = null
let onUnauthorized: (() => void) | null = null

/** Sets the channel header and what happens on a 401 (usually: go to the log-in page). */
export function configureApi(options: { channel: Channel; onUnauthorized?: () => void }): void {
  channel = options.channel
  onUnauthorized = options.onUnauthorized ?? null
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

interface ErrorBody {
  error: { code?: unknown; message?: unknown; field?: unknown; retry_after?: unknown }
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as ErrorBody).error === 'object'
}

function retryAfterOf(body: ErrorBody['error'] | null, res: Response): number | undefined {
  const fromBody = body && typeof body.retry_after === 'number' ? body.retry_after : NaN
  const fromHeader = Number.parseInt(res.headers.get('Retry-After') ?? '', 10)
  const seconds = Number.isFinite(fromBody) ? fromBody : fromHeader
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined
}

function errorFromResponse(res: Response, body: unknown): ApiError {
  const e = isErrorBody(body) ? body.error : null
  const message = e && typeof e.message === 'string' && e.message ? e.message : defaultMessage(res.status)
  return new ApiError(
    res.status,
    e && typeof e.code === 'string' ? e.code : 'http_error',
    message,
    e && typeof e.field === 'string' && e.field ? e.field : undefined,
    retryAfterOf(e, res),
  )
}

function defaultMessage(status: number): string {
  if (status === 401) return '登录已失效，请重新登录。'
  if (status === 403) return '您没有权限进行此操作。'
  if (status === 404) return '未找到相关内容。'
  if (status === 429) return '操作过于频繁，请稍后再试。'
  return UNAVAILABLE
}

function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

async function send(method: Method, path: string, body: unknown, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json', 'X-Dangan-Channel': channel }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (options.idempotent) headers['Idempotency-Key'] = newIdempotencyKey()
  const controller = new AbortController()
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS)
  try {
    return await fetch(`${API_ROOT}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: controller.signal,
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试。')
  } finally {
    window.clearTimeout(timer)
  }
}

/** The token of the session the cookie names, or null (also forgets a stale token). */
export async function refreshCsrfToken(): Promise<string | null> {
  const res = await send('GET', '/session', undefined, {})
  const body: unknown = await res.json().catch(() => null)
  const token =
    res.ok && typeof body === 'object' && body !== null ? (body as { csrf_token?: unknown }).csrf_token : null
  csrfToken = typeof token === 'string' ? token : null
  return csrfToken
}

/**
 * Calls the API and returns the parsed JSON body (null for 204). A 403 csrf_failed (the page
 * was reloaded, or another tab logged in) refreshes the token once and retries.
 */
export async function request<T = unknown>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  let res = await send(method, path, body, options)
  let parsed: unknown = res.status === 204 ? null : await res.json().catch(() => undefined)
  if (res.status === 403 && method !== 'GET' && isErrorBody(parsed) && parsed.error.code === 'csrf_failed') {
    if (await refreshCsrfToken().catch(() => null)) {
      res = await send(method, path, body, options)
      parsed = res.status === 204 ? null : await res.json().catch(() => undefined)
    }
  }
  if (!res.ok) {
    const error = errorFromResponse(res, parsed)
    if (res.status === 401 && options.auth !== false) {
      csrfToken = null
      onUnauthorized?.()
    }
    throw error
  }
  if (parsed === undefined) throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
  return parsed as T
}

export const api = {
  get: <T = unknown>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, body ?? {}, options),
  patch: <T = unknown>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, body, options),
  del: <T = unknown>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
}

/** GETs `${API_ROOT}${path}` without session handling (public data such as /info). */
export async function getJson(path: string): Promise<unknown> {
  const res = await send('GET', path, undefined, {})
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw errorFromResponse(res, body)
  if (body === null) throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
  return body
}

/** Query string from the non-empty values: "?a=1&b=x" or "". */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}
