/**
 * Certificates (查档证明, docs/api-certificates.md): the shapes, every call the portal, the kiosk,
 * the staff console and the public verify page make, the number's check character, and the words
 * people see for kinds, states and verification results.
 */
import { api, ApiError, query, refreshCsrfToken } from './api'
import { longDate } from './appointments'
import { formatDate } from './format'

export type CertificateKind = 'location' | 'items'
export type CertificateStatus = 'valid' | 'expired' | 'revoked'
export type VerifyResult = 'genuine' | 'revoked' | 'expired' | 'unknown' | 'invalid' | 'altered'
export type VerifyMethod = 'qr' | 'number' | 'pdf' | 'photo'

export interface ContentItem {
  seq: number
  title: string
  doc_date: string
  page_count: number
}

export interface ContentRecord {
  archival_code: string
  kind_label: string
  holder: { name: string; address: string; phone: string }
  /** kind items only */
  items?: ContentItem[]
}

/** What is certified (signed through its hash). */
export interface CertificateContent {
  v: number
  number: string
  kind: CertificateKind
  subject: { name: string; id_number: string }
  purpose: string
  purpose_label: string
  purpose_detail?: string | null
  records: ContentRecord[]
  issuer: { organisation: string; branch_code: string; branch_name: string }
  issued_on: string
  valid_until: string
}

export interface CertificateCheck {
  at: string
  method: VerifyMethod
  result: string
}

/** A certificate as its holder and staff see it. */
export interface Certificate {
  id: string
  number: string
  number_display: string
  kind: CertificateKind
  purpose: string
  purpose_label: string
  issued_on: string
  valid_until: string
  issued_at: string
  channel: string
  branch: { code: string; name: string }
  status: CertificateStatus
  status_label: string
  revoked_at: string | null
  revoke_reason: string | null
  check_count: number
  last_checked_at: string | null
  verify_url: string
  pdf_url: string
  pdf_sm3: string
  content: CertificateContent
  /** Single-certificate views. */
  checks?: CertificateCheck[]
  /** Staff views. */
  person?: { id: string; name: string; id_number: string }
  issued_by?: string | null
  revoked_by?: string | null
}

/** A certificate as the public verify answer names it. */
export interface PublicCertificate {
  number: string
  number_display: string
  issuer: { organisation: string; branch_name: string }
  issued_on: string
  valid_until: string
  purpose: string
  purpose_label: string
  subject: { name: string; id_number: string }
  revoked_at: string | null
  key_id: string
}

/** POST /certificates/verify */
export interface VerifyAnswer {
  result: VerifyResult
  result_label: string
  method: VerifyMethod
  certificate: PublicCertificate | null
  content: CertificateContent | null
  reason: string | null
  pdf?: { matches: boolean }
}

export interface IssueBody {
  kind: CertificateKind
  purpose: string
  purpose_detail?: string
  record_id?: string
  item_seqs?: number[]
  branch_code?: string
  /** Staff only. */
  id_number?: string
}

// ---- words -------------------------------------------------------------------------------

export const CERTIFICATE_KINDS: readonly CertificateKind[] = ['location', 'items']

export const KIND_LABELS: Record<CertificateKind, string> = { location: '存档地点证明', items: '档案材料证明' }

export const KIND_SUMMARIES: Record<CertificateKind, string> = {
  location: '证明您的档案由哪家机构保管：机构名称、地址和电话',
  items: '列明您一份档案中的具体材料（卷内目录）',
}

export const RESULT_LABELS: Record<VerifyResult, string> = {
  genuine: '真实有效',
  revoked: '已撤销',
  expired: '已过期',
  unknown: '查无此证明',
  invalid: '无效',
  altered: '文件已被改动',
}

export const METHOD_LABELS: Record<VerifyMethod, string> = {
  qr: '扫描二维码',
  number: '输入编号',
  pdf: '上传 PDF',
  photo: '上传二维码照片',
}

export const STATUS_LABELS: Record<CertificateStatus, string> = { valid: '有效', expired: '已过期', revoked: '已撤销' }

export type Tone = 'success' | 'warning' | 'danger' | 'default'

export function statusTone(status: string): Tone {
  if (status === 'valid') return 'success'
  if (status === 'revoked') return 'danger'
  if (status === 'expired') return 'warning'
  return 'default'
}

export function resultTone(result: string): Tone {
  if (result === 'genuine') return 'success'
  if (result === 'expired') return 'warning'
  if (result === 'unknown') return 'default'
  return 'danger'
}

/** The label of a verification result (the server's when it is not one of ours). */
export function resultLabel(result: string, fallback?: string): string {
  return RESULT_LABELS[result as VerifyResult] ?? fallback ?? result
}

/** "2026-05-03T10:12:00+08:00" → "2026年5月3日" (Asia/Shanghai). */
export function dayOf(at: string | null | undefined): string {
  if (!at) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T/.exec(at)
  return longDate(m && at.endsWith('+08:00') ? m[1] ?? '' : formatDate(at))
}

// ---- the number --------------------------------------------------------------------------

/** Without spaces, `x` as `X`. */
export function normaliseNumber(raw: string): string {
  return raw.replace(/[\s-]+/g, '').toUpperCase()
}

/** ISO 7064 MOD 11-2 check character over 16 digits. */
export function numberCheckChar(digits: string): string {
  let p = 0
  for (const c of digits) p = ((p + Number(c)) * 2) % 11
  const check = (12 - p) % 11
  return check === 10 ? 'X' : String(check)
}

/** True when `raw` has the form of a certificate number (17 characters, check not tested). */
export function looksLikeNumber(raw: string): boolean {
  return /^\d{16}[\dX]$/.test(normaliseNumber(raw))
}

/** Null when `raw` is a well-formed certificate number, else what is wrong, in words. */
export function numberProblem(raw: string): string | null {
  const v = normaliseNumber(raw)
  if (!v) return '请输入证明编号'
  if (!/^\d{16}[\dX]$/.test(v)) return '证明编号为 17 位：16 位数字加 1 位校验码（数字或 X），空格可以不输'
  if (numberCheckChar(v.slice(0, 16)) !== v[16]) return '证明编号有误（校验码不符），请逐位核对'
  return null
}

/** "2026220102000001X" → "2026 2201 0200 0001 X" */
export function groupNumber(number: string): string {
  const v = normaliseNumber(number)
  return v.length === 17 ? `${v.slice(0, 4)} ${v.slice(4, 8)} ${v.slice(8, 12)} ${v.slice(12, 16)} ${v.slice(16)}` : number
}

/** The number as people read it: the server's grouping, else ours. */
export function displayNumber(c: { number: string; number_display?: string }): string {
  return c.number_display || groupNumber(c.number)
}

// ---- calls -------------------------------------------------------------------------------

const enc = encodeURIComponent

/** The verify page's answer to a QR code's text (URL or code). */
export function verifyCode(code: string): Promise<VerifyAnswer> {
  return api.post<VerifyAnswer>('/certificates/verify', { code }, { auth: false })
}

/** The verify page's answer to a typed number (status only, no content). */
export function verifyNumber(number: string): Promise<VerifyAnswer> {
  return api.post<VerifyAnswer>('/certificates/verify', { number: normaliseNumber(number) }, { auth: false })
}

/** The content type of an uploaded file: its own, or guessed from its name. */
export function fileType(file: File): string {
  if (file.type) return file.type
  const name = file.name.toLowerCase()
  if (name.endsWith('.pdf')) return 'application/pdf'
  if (name.endsWith('.png')) return 'image/png'
  if (/\.jpe?g$/.test(name)) return 'image/jpeg'
  return 'application/octet-stream'
}

async function postFile(file: File, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': fileType(file) }
  if (token) headers['X-CSRF-Token'] = token
  try {
    return await fetch('/api/v1/certificates/verify', { method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试。')
  }
}

/**
 * The verify answer to an uploaded PDF or photo of the QR code: the raw file with its content
 * type. A visitor also logged in on the portal carries a session cookie: a 403 csrf_failed is
 * answered by asking for the token once and sending again.
 */
export async function verifyFile(file: File): Promise<VerifyAnswer> {
  let res = await postFile(file, null)
  let body: unknown = await res.json().catch(() => null)
  const code = (b: unknown): unknown => (b as { error?: { code?: unknown } } | null)?.error?.code
  if (res.status === 403 && code(body) === 'csrf_failed') {
    const token = await refreshCsrfToken().catch(() => null)
    if (token) {
      res = await postFile(file, token)
      body = await res.json().catch(() => null)
    }
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error
    const message =
      typeof e?.message === 'string' && e.message
        ? e.message
        : res.status === 413
          ? '文件太大，请上传 10 MB 以内的 PDF 或照片。'
          : '核验失败，请稍后再试。'
    throw new ApiError(res.status, typeof e?.code === 'string' ? e.code : 'http_error', message)
  }
  if (!body) throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
  return body as VerifyAnswer
}

/** POST /me/certificates with the form's Idempotency-Key. */
export async function issueMine(body: IssueBody, idempotencyKey: string): Promise<Certificate> {
  const answer = await api.post<{ certificate: Certificate }>('/me/certificates', body, {
    headers: { 'Idempotency-Key': idempotencyKey },
  })
  return answer.certificate
}

export async function myCertificates(): Promise<Certificate[]> {
  return (await api.get<{ certificates: Certificate[] }>('/me/certificates')).certificates
}

export async function myCertificate(id: string): Promise<Certificate> {
  return (await api.get<{ certificate: Certificate }>(`/me/certificates/${enc(id)}`)).certificate
}

/** The PDF of a citizen's own certificate (reprint). */
export function myPdfUrl(c: Pick<Certificate, 'id' | 'pdf_url'>): string {
  return c.pdf_url || `/api/v1/me/certificates/${enc(c.id)}/pdf`
}

/** The PDF's file name as the server names it. */
export function pdfName(c: Pick<Certificate, 'number'>): string {
  return `chadang-${c.number}.pdf`
}

// ---- staff -------------------------------------------------------------------------------

/** The purpose of a staff read, UTF-8 percent-encoded in X-Dangan-Purpose (never in the URL). */
function purposeHeader(purpose: string): Record<string, string> {
  return { 'X-Dangan-Purpose': encodeURIComponent(purpose.trim()) }
}

/** POST /certificates (window): for the person named by `id_number`, at `branch_code`. */
export async function issueForPerson(body: IssueBody, idempotencyKey: string): Promise<Certificate> {
  const answer = await api.post<{ certificate: Certificate }>('/certificates', body, {
    headers: { 'Idempotency-Key': idempotencyKey },
  })
  return answer.certificate
}

export async function searchCertificates(by: { number?: string; id_number?: string }, purpose: string): Promise<Certificate[]> {
  const path = `/certificates${query(by)}`
  return (await api.get<{ certificates: Certificate[] }>(path, { headers: purposeHeader(purpose) })).certificates
}

export async function staffCertificate(id: string, purpose: string): Promise<Certificate> {
  return (await api.get<{ certificate: Certificate }>(`/certificates/${enc(id)}`, { headers: purposeHeader(purpose) })).certificate
}

export function staffPdfUrl(c: Pick<Certificate, 'id'>): string {
  return `/api/v1/certificates/${enc(c.id)}/pdf`
}

export async function revokeCertificate(id: string, reason: string): Promise<Certificate> {
  return (await api.post<{ certificate: Certificate }>(`/certificates/${enc(id)}/revoke`, { reason })).certificate
}
