/**
 * 智能客服: the citizens' chat API (docs/api-kb.md "Chat", "Speech", "Public FAQ"), shared by
 * the portal's /chat page and the kiosk's hall robot.
 *
 * A chat session is open to anyone: its id and the secret token from its creation, sent back
 * as X-Chat-Token. Sending answers at once with the user's message and the replies; the long
 * poll (GET …/messages?after=SEQ&wait=20) brings what an agent says after a hand-over. The
 * long poll has its own fetch: it must outlive api.ts's 15-second timeout and be cancellable.
 */
import { api, ApiError, getJson, query } from './api'

export type ChatChannel = 'web' | 'mobile' | 'kiosk'
export type ChatState = 'bot' | 'clarifying' | 'waiting' | 'with_agent' | 'closed'
export type ChatFrom = 'user' | 'bot' | 'agent' | 'system'
export type ChatKind =
  | 'greeting'
  | 'text'
  | 'answer'
  | 'clarify'
  | 'rephrase'
  | 'handoff'
  | 'agent_joined'
  | 'closed'

export interface ChatOption {
  id: string
  question: string
}

export interface ChatMessage {
  seq: number
  from: ChatFrom
  kind: ChatKind
  text: string
  at: string
  entry_id: string | null
  options: ChatOption[] | null
  agent: string | null
}

export interface ChatSession {
  id: string
  channel: string
  state: ChatState
  state_label: string
  messages: ChatMessage[]
}

export interface CreatedSession extends ChatSession {
  token: string
}

/** What sending and polling answer: the session's state and the new messages. */
export interface ChatUpdate {
  state: ChatState
  messages: ChatMessage[]
}

/** What a citizen sends: words, a clarification's choice (null: 都不是), or 转人工. */
export type ChatInput = { text: string } | { choice: string | null } | { action: 'human' }

/** A published entry as citizens get it (GET /kb/faq). */
export interface FaqEntry {
  id: string
  question: string
  answer: string
  category: string
}

/** The longest question or text to read aloud the server accepts. */
export const CHAT_MAX_LENGTH = 300
/** The longest a long poll may wait on the server (the contract allows ≤ 25). */
export const POLL_WAIT_SECONDS = 20

const tokenHeader = (token: string) => ({ 'X-Chat-Token': token })

/** POST /chat/sessions: a new session with its greeting and token. */
export function createSession(channel: ChatChannel, branchCode?: string): Promise<CreatedSession> {
  const body: Record<string, string> = { channel }
  if (branchCode) body.branch_code = branchCode
  return api.post<CreatedSession>('/chat/sessions', body, { auth: false })
}

export function getSession(id: string, token: string): Promise<ChatSession> {
  return api.get<ChatSession>(`/chat/sessions/${encodeURIComponent(id)}`, { auth: false, headers: tokenHeader(token) })
}

export function sendInput(id: string, token: string, input: ChatInput): Promise<ChatUpdate> {
  return api.post<ChatUpdate>(`/chat/sessions/${encodeURIComponent(id)}/messages`, input, {
    auth: false,
    headers: tokenHeader(token),
  })
}

export function closeSession(id: string, token: string): Promise<ChatSession> {
  return api.post<ChatSession>(`/chat/sessions/${encodeURIComponent(id)}/close`, {}, { auth: false, headers: tokenHeader(token) })
}

/**
 * The long poll: messages after `after`, waiting up to `wait` seconds for one. Rejects with an
 * ApiError (status 0 for the network, also when the answer takes far longer than asked); an
 * abort through `signal` rejects with the DOMException 'AbortError'.
 */
export async function pollMessages(
  id: string,
  token: string,
  after: number,
  wait: number,
  signal: AbortSignal,
): Promise<ChatUpdate> {
  const timeout = new AbortController()
  const timer = window.setTimeout(() => timeout.abort(), (wait + 15) * 1000)
  const onAbort = (): void => timeout.abort()
  signal.addEventListener('abort', onAbort)
  let res: Response
  try {
    res = await fetch(`/api/v1/chat/sessions/${encodeURIComponent(id)}/messages${query({ after, wait })}`, {
      headers: { Accept: 'application/json', ...tokenHeader(token) },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeout.signal,
    })
  } catch (e) {
    if (signal.aborted) throw new DOMException('aborted', 'AbortError')
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试。')
  } finally {
    window.clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
    throw new ApiError(
      res.status,
      typeof e?.code === 'string' ? e.code : 'http_error',
      typeof e?.message === 'string' && e.message ? e.message : '服务暂不可用，请稍后再试。',
    )
  }
  if (!body || !Array.isArray((body as ChatUpdate).messages)) {
    throw new ApiError(res.status, 'bad_response', '服务返回的数据无法识别。')
  }
  return body as ChatUpdate
}

/** GET /kb/faq: the published entries of a channel (the kiosk's answers, or the web's). */
export async function loadFaq(channel: 'web' | 'kiosk'): Promise<FaqEntry[]> {
  const body = (await getJson(`/kb/faq${query({ channel })}`)) as { items?: FaqEntry[] }
  return Array.isArray(body.items) ? body.items : []
}

/** The address of a text read aloud (GET /tts, audio/wav, cached by the browser a day). */
export function ttsUrl(text: string, rate?: number): string {
  return `/api/v1/tts${query({ text, rate })}`
}

/**
 * A long text cut into pieces the speech call accepts (≤ `max` characters), at the end of a
 * sentence where possible, else at a comma, else anywhere.
 */
export function speechChunks(text: string, max = CHAT_MAX_LENGTH): string[] {
  const chunks: string[] = []
  let rest = text.replace(/\s+/g, ' ').trim()
  while (rest.length > max) {
    const head = rest.slice(0, max)
    let cut = Math.max(...['。', '！', '？', '；', '\n'].map((c) => head.lastIndexOf(c)))
    if (cut < max / 3) cut = Math.max(...['，', '、', '：', ' '].map((c) => head.lastIndexOf(c)))
    if (cut < max / 3) cut = max - 1
    chunks.push(rest.slice(0, cut + 1).trim())
    rest = rest.slice(cut + 1).trim()
  }
  if (rest) chunks.push(rest)
  return chunks
}

/** A piece of a message: plain text, or a link (an address on the web, or a telephone number). */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string; external: boolean }

// Addresses (http/https only), the 12333 hotline and landline numbers such as 0431-88776655.
const LINK = /(https?:\/\/[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+)|((?<![\d-])(?:12333|0\d{2,3}-\d{7,8})(?![\d-]))/g
// Punctuation that ends a sentence is not part of an address written before it.
const TRAILING = /[.,;:!?'*)]+$/

/**
 * Splits a message into text and links. Nothing of the text is ever interpreted as HTML: the
 * page renders the parts as text nodes and <a> elements, so an answer cannot inject markup.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = []
  let last = 0
  for (const m of text.matchAll(LINK)) {
    let found = m[0]
    const start = m.index ?? 0
    if (m[1]) found = found.replace(TRAILING, '')
    if (start > last) parts.push({ text: text.slice(last, start) })
    if (m[1]) parts.push({ text: found, href: found, external: true })
    else parts.push({ text: found, href: `tel:${found}`, external: false })
    last = start + found.length
  }
  if (last < text.length) parts.push({ text: text.slice(last) })
  return parts
}

/** Merges new messages into a list ordered by seq, ignoring ones already there. */
export function mergeMessages(list: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const seen = new Set(list.map((m) => m.seq))
  const added = incoming.filter((m) => typeof m.seq === 'number' && !seen.has(m.seq))
  if (added.length === 0) return list as ChatMessage[]
  return [...list, ...added].sort((a, b) => a.seq - b.seq)
}

/** The agent's name from the newest message that names one (agent_joined, the agent's replies). */
export function agentName(messages: readonly ChatMessage[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const name = messages[i]?.agent
    if (name) return name
  }
  return null
}

/** The label above a message: 智能客服, 人工客服·小王, or null (the citizen's own, notices). */
export function senderLabel(m: ChatMessage): string | null {
  if (m.from === 'bot') return '智能客服'
  if (m.from === 'agent') return m.agent ? `人工客服·${m.agent}` : '人工客服'
  return null
}
