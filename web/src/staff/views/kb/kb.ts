/**
 * 知识库 (docs/api-kb.md "Knowledge base (staff)"): shapes, calls and labels of the staff pages
 * 知识库 and 未解答问题.
 */
import { ApiError, api, query, refreshCsrfToken, request } from '@shared/api'

export type KbStatus = 'draft' | 'review' | 'published' | 'archived'
export type KbChannel = 'web' | 'wechat' | 'kiosk' | 'phone'

export interface KbEntry {
  id: string
  status: KbStatus
  status_label: string
  version: number
  published_version: number | null
  question: string
  similar: string[]
  answer: string
  phone_answer: string | null
  category: string
  tags: string[]
  channels: KbChannel[]
  author: string
  approver: string | null
  return_reason: string | null
  updated_at: string
  published_at: string | null
}

export interface KbVersion {
  version: number
  status: KbStatus
  question: string
  answer: string
  author: string
  approver: string | null
  created_at: string
}

export interface KbEntryDetail extends KbEntry {
  versions: KbVersion[]
}

/** What an editor sends (an entry without its id and workflow fields). */
export interface KbFields {
  question: string
  similar: string[]
  answer: string
  phone_answer: string | null
  category: string
  tags: string[]
  channels: KbChannel[]
}

export interface KbList {
  items: KbEntry[]
  total: number
  categories: string[]
}

export interface Lexicon {
  synonyms: string[][]
  stop_phrases: string[]
  version: number
}

export interface TryAnswer {
  normalised: string
  verdict: 'answer' | 'unsure' | 'none'
  candidates: { id: string; question: string; score: number }[]
}

export interface UnansweredQuestion {
  id: string
  text: string
  channel: string
  reason: 'none' | 'unsure' | 'handoff'
  at: string
}

export interface UnansweredGroup {
  id: string
  representative: string
  count: number
  channels: Record<string, number>
  last_at: string
  questions: UnansweredQuestion[]
  suggestion: { id: string; question: string } | null
}

export const STATUS_OPTIONS: { value: KbStatus; label: string }[] = [
  { value: 'draft', label: '草稿' },
  { value: 'review', label: '待审核' },
  { value: 'published', label: '已发布' },
  { value: 'archived', label: '已下线' },
]

export const STATUS_TAG: Record<KbStatus, 'info' | 'warning' | 'success' | 'danger'> = {
  draft: 'info',
  review: 'warning',
  published: 'success',
  archived: 'danger',
}

export const KB_CHANNELS: { value: KbChannel; label: string }[] = [
  { value: 'web', label: '网站/手机' },
  { value: 'wechat', label: '微信' },
  { value: 'kiosk', label: '自助终端' },
  { value: 'phone', label: '电话' },
]

/** Chat and question channels as people call them (the chat's `mobile` counts as web). */
export const CHANNEL_NAMES: Record<string, string> = {
  web: '网站',
  mobile: '手机',
  wechat: '微信',
  kiosk: '自助终端',
  phone: '电话',
}

export const VERDICT_LABELS: Record<TryAnswer['verdict'], string> = {
  answer: '直接回答',
  unsure: '不确定（请群众确认）',
  none: '无法回答',
}

export const REASON_LABELS: Record<UnansweredQuestion['reason'], string> = {
  none: '未匹配',
  unsure: '确认失败',
  handoff: '转人工',
}

/** Who may write, approve and read (docs/api-kb.md). */
export const KB_EDITORS = ['kb_editor'] as const
export const KB_APPROVERS = ['kb_editor', 'content_approver'] as const

export const emptyFields = (): KbFields => ({
  question: '',
  similar: [],
  answer: '',
  phone_answer: null,
  category: '',
  tags: [],
  channels: ['web', 'wechat', 'kiosk', 'phone'],
})

const enc = encodeURIComponent

export const listEntries = (p: { q?: string; status?: string; category?: string; page?: number; size?: number }) =>
  api.get<KbList>(`/kb/entries${query(p)}`)
export const getEntry = (id: string) => api.get<KbEntryDetail>(`/kb/entries/${enc(id)}`)
export const createEntry = (f: KbFields) => api.post<KbEntry>('/kb/entries', f)
export const updateEntry = (id: string, f: KbFields, version: number) =>
  request<KbEntry>('PUT', `/kb/entries/${enc(id)}`, { ...f, version })
export const submitEntry = (id: string, version: number) => api.post<KbEntry>(`/kb/entries/${enc(id)}/submit`, { version })
export const approveEntry = (id: string, version: number) => api.post<KbEntry>(`/kb/entries/${enc(id)}/approve`, { version })
export const returnEntry = (id: string, version: number, reason: string) =>
  api.post<KbEntry>(`/kb/entries/${enc(id)}/return`, { version, reason })
export const archiveEntry = (id: string) => api.post<KbEntry>(`/kb/entries/${enc(id)}/archive`, {})
export const getLexicon = () => api.get<Lexicon>('/kb/lexicon')
export const putLexicon = (l: Lexicon) => request<Lexicon>('PUT', '/kb/lexicon', l)
export const tryQuestion = (q: string, channel: string) => api.post<TryAnswer>('/kb/try', { q, channel })
export const listUnanswered = (days = 30) => api.get<{ groups: UnansweredGroup[] }>(`/kb/unanswered${query({ days })}`)
export const resolveUnanswered = (ids: string[], entryId: string | null) =>
  api.post<{ resolved: number }>('/kb/unanswered/resolve', { ids, entry_id: entryId })

/** POST /kb/import with the file as it is (application/x-ndjson): the api client only sends JSON. */
export async function importEntries(file: Blob): Promise<{ created: number; updated: number; unchanged: number }> {
  const token = await refreshCsrfToken().catch(() => null)
  let res: Response
  try {
    res = await fetch('/api/v1/kb/import', {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/x-ndjson',
        'X-Dangan-Channel': 'staff',
        ...(token ? { 'X-CSRF-Token': token } : {}),
      },
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试。')
  }
  const body = (await res.json().catch(() => null)) as
    | { created: number; updated: number; unchanged: number; error?: { code?: string; message?: string; field?: string } }
    | null
  if (!res.ok) {
    if (res.status === 413) throw new ApiError(413, 'too_large', '文件超过 5 MB，请拆分后再导入。')
    const e = body?.error
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? '导入失败，请稍后再试。', e?.field)
  }
  if (!body) throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
  return body
}

/** The export's address (a plain link: the browser downloads it with the session cookie). */
export const EXPORT_URL = '/api/v1/kb/export'

/** Splits "a、b, c；d" into trimmed, distinct, non-empty terms. */
export function splitTerms(text: string): string[] {
  return [...new Set(text.split(/[\s,，、;；]+/).map((t) => t.trim()).filter(Boolean))]
}

/** Local checks of the editor's fields, by field (the server's limits, docs/api-kb.md). */
export function fieldProblems(f: KbFields): Partial<Record<keyof KbFields, string>> {
  const p: Partial<Record<keyof KbFields, string>> = {}
  const q = f.question.trim()
  if (q.length < 2 || q.length > 100) p.question = '标准问题应为 2–100 个字'
  const similar = f.similar.map((s) => s.trim()).filter(Boolean)
  if (similar.length > 30) p.similar = '相似问法最多 30 条'
  else if (similar.some((s) => s.length > 100)) p.similar = '每条相似问法不超过 100 个字'
  const a = f.answer.trim()
  if (a.length < 2 || a.length > 2000) p.answer = '答案应为 2–2000 个字'
  if ((f.phone_answer ?? '').trim().length > 300) p.phone_answer = '电话答案不超过 300 个字'
  const c = f.category.trim()
  if (c.length < 1 || c.length > 20) p.category = '请填写分类（不超过 20 个字）'
  if (f.tags.length > 10) p.tags = '标签最多 10 个'
  else if (f.tags.some((t) => t.length > 20)) p.tags = '每个标签不超过 20 个字'
  if (f.channels.length === 0) p.channels = '请至少选择一个渠道'
  return p
}

/** The fields as the server wants them: trimmed, empty rows dropped, an empty phone answer null. */
export function cleanFields(f: KbFields): KbFields {
  const phone = (f.phone_answer ?? '').trim()
  return {
    question: f.question.trim(),
    similar: [...new Set(f.similar.map((s) => s.trim()).filter(Boolean))],
    answer: f.answer.trim(),
    phone_answer: phone ? phone : null,
    category: f.category.trim(),
    tags: [...new Set(f.tags.map((t) => t.trim()).filter(Boolean))],
    channels: f.channels,
  }
}

/** "2026-11-27T09:05:00+08:00" → "2026-11-27 09:05" */
export function dateTime(at: string | null | undefined): string {
  if (!at) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(at)
  return m ? `${m[1]} ${m[2]}` : at
}
