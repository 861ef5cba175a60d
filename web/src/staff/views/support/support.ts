/**
 * 在线客服 (docs/api-kb.md "在线客服"): the queue of handed-over chat sessions and an agent's
 * conversation with a citizen.
 */
import { api, query } from '@shared/api'

/** Who may serve the queue. */
export { SUPPORT_AGENTS_ROLES as SUPPORT_AGENTS } from '../../modules'

/**
 * Long polls wait at most this many seconds: the API client gives up on a request after 15 s,
 * so the server must answer before that.
 */
export const POLL_WAIT = 10

export interface ChatMessage {
  seq: number
  from: 'user' | 'bot' | 'agent' | 'system'
  kind: string
  text: string
  at: string
  entry_id: string | null
  options: { id: string; question: string }[] | null
  agent: string | null
}

export interface ChatSession {
  id: string
  channel: string
  state: 'bot' | 'clarifying' | 'waiting' | 'with_agent' | 'closed'
  state_label: string
  messages: ChatMessage[]
  person?: { name: string } | null
  agent?: string | null
}

export interface QueueItem {
  id: string
  channel: string
  since: string
  waited_seconds: number
  last_text: string
  person: { name: string } | null
  agent?: string
}

export interface Queue {
  version: number | string
  waiting: QueueItem[]
  mine: QueueItem[]
  others: QueueItem[]
}

const enc = encodeURIComponent

export const getQueue = (version?: number | string | null) =>
  api.get<Queue>(`/support/queue${query({ wait: version === null || version === undefined ? null : POLL_WAIT, version })}`)
export const takeSession = (id: string) => api.post<ChatSession>(`/support/sessions/${enc(id)}/take`, {})
export const getSession = (id: string) => api.get<ChatSession>(`/support/sessions/${enc(id)}`)
export const pollMessages = (id: string, after: number) =>
  api.get<{ state: ChatSession['state']; messages: ChatMessage[] }>(`/support/sessions/${enc(id)}/messages${query({ after, wait: POLL_WAIT })}`)
export const sendReply = (id: string, text: string) =>
  api.post<{ state: ChatSession['state']; messages: ChatMessage[] }>(`/support/sessions/${enc(id)}/messages`, { text })
export const closeSession = (id: string) => api.post<ChatSession>(`/support/sessions/${enc(id)}/close`, {})

/** "45 秒" · "3 分 05 秒" · "1 小时 2 分" */
export function waited(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} 秒`
  if (s < 3600) return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, '0')} 秒`
  return `${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`
}

/** "09:05" from an ISO time (the server's +08:00 clock as it is written). */
export function clock(at: string): string {
  const m = /T(\d{2}:\d{2})/.exec(at)
  return m?.[1] ?? at
}

/** Messages merged by seq (a reply's answer and a poll may bring the same one). */
export function merge(list: ChatMessage[], more: ChatMessage[]): ChatMessage[] {
  const bySeq = new Map(list.map((m) => [m.seq, m]))
  for (const m of more) bySeq.set(m.seq, m)
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq)
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
