/**
 * Minimal JSON client for the Dang'an REST API (/api/v1/...).
 * Every failure (network, timeout, non-2xx, bad JSON) rejects with an ApiError whose message
 * is Chinese and fit to show to a person; the server's error body
 * {"error":{"code","message","field"}} is used when present.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

const TIMEOUT_MS = 10_000
const API_ROOT = '/api/v1'

interface ErrorBody {
  error: { code?: unknown; message?: unknown; field?: unknown }
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as ErrorBody).error === 'object'
}

function errorFromBody(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const { code, message, field } = body.error
    return new ApiError(
      status,
      typeof code === 'string' ? code : 'http_error',
      typeof message === 'string' ? message : '服务暂不可用，请稍后再试。',
      typeof field === 'string' ? field : undefined,
    )
  }
  return new ApiError(status, 'http_error', '服务暂不可用，请稍后再试。')
}

/** GETs `${API_ROOT}${path}` and returns the parsed JSON body; rejects with ApiError. */
export async function getJson(path: string): Promise<unknown> {
  const controller = new AbortController()
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS)
  try {
    const res = await fetch(`${API_ROOT}${path}`, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller.signal,
    })
    const body: unknown = await res.json().catch(() => null)
    if (!res.ok) throw errorFromBody(res.status, body)
    if (body === null) throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
    return body
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试。')
  } finally {
    window.clearTimeout(timer)
  }
}
