import { computed, onBeforeUnmount, ref, shallowRef } from 'vue'
import { ApiError } from './api'
import {
  agentName,
  closeSession,
  createSession,
  getSession,
  mergeMessages,
  pollMessages,
  POLL_WAIT_SECONDS,
  sendInput,
  type ChatChannel,
  type ChatInput,
  type ChatMessage,
  type ChatState,
  type ChatUpdate,
} from './chat'

export interface UseChatOptions {
  channel: ChatChannel
  branchCode?: string
  /**
   * sessionStorage key keeping {id, token}, so that a reload continues the conversation (the
   * portal). Without it the session lives as long as the page (the kiosk, where the next person
   * must not see the last one's questions).
   */
  storageKey?: string
  /** Closes the session when the component unmounts (the kiosk: the person has left). */
  closeOnUnmount?: boolean
  /** Called with the replies to a send and with what the long poll brings (the kiosk reads them aloud). */
  onReplies?: (messages: ChatMessage[]) => void
}

interface Stored {
  id: string
  token: string
}

// Waits between long polls after a failure: 1 s, 2 s, 4 s … at most 30 s.
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]

function readStored(key: string | undefined): Stored | null {
  if (!key) return null
  try {
    const v = JSON.parse(window.sessionStorage.getItem(key) ?? 'null') as Partial<Stored> | null
    return v && typeof v.id === 'string' && typeof v.token === 'string' ? { id: v.id, token: v.token } : null
  } catch {
    return null
  }
}

function writeStored(key: string | undefined, v: Stored | null): void {
  if (!key) return
  try {
    if (v) window.sessionStorage.setItem(key, JSON.stringify(v))
    else window.sessionStorage.removeItem(key)
  } catch {
    // Storage refused (private mode): the conversation just does not survive a reload.
  }
}

/**
 * One citizen's conversation with 智能客服: starts (or resumes) the session, sends, and — while a
 * person is being waited for or is answering — long-polls for their messages, retrying with a
 * growing pause after network failures. Everything stops when the component unmounts.
 * While the robot answers (states bot, clarifying) the replies come with each send, so no poll
 * holds a connection open then.
 */
export function useChat(options: UseChatOptions) {
  const session = shallowRef<Stored | null>(null)
  const messages = ref<ChatMessage[]>([])
  const state = ref<ChatState | null>(null)
  const starting = ref(false)
  const sending = ref(false)
  /** The last failure in words (sending or starting), cleared by the next success. */
  const error = ref('')
  /** True while the long poll fails and is being retried. */
  const reconnecting = ref(false)

  let pollAbort: AbortController | null = null
  let pollRunning = false
  let alive = true
  let backoffTimer = 0

  const lastSeq = computed(() => messages.value.reduce((max, m) => Math.max(max, m.seq), 0))
  const agent = computed(() => agentName(messages.value))
  /** The citizen has not asked anything yet (only the greeting is there). */
  const empty = computed(() => !messages.value.some((m) => m.from === 'user'))
  /** The newest clarification, when it still waits for a choice. */
  const openClarify = computed(() => {
    if (state.value !== 'clarifying') return null
    for (let i = messages.value.length - 1; i >= 0; i--) {
      const m = messages.value[i]
      if (m?.kind === 'clarify') return m
    }
    return null
  })

  function apply(update: ChatUpdate, announce: boolean): void {
    const before = new Set(messages.value.map((m) => m.seq))
    messages.value = mergeMessages(messages.value, update.messages)
    if (update.state) state.value = update.state
    const fresh = update.messages.filter((m) => !before.has(m.seq) && m.from !== 'user')
    if (announce && fresh.length > 0) options.onReplies?.(fresh)
    syncPolling()
  }

  function wantsPoll(): boolean {
    return alive && session.value !== null && (state.value === 'waiting' || state.value === 'with_agent')
  }

  function syncPolling(): void {
    if (wantsPoll() && !pollRunning) void pollLoop()
  }

  function stopPolling(): void {
    pollAbort?.abort()
    pollAbort = null
    window.clearTimeout(backoffTimer)
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      backoffTimer = window.setTimeout(resolve, ms)
    })
  }

  async function pollLoop(): Promise<void> {
    pollRunning = true
    let failures = 0
    try {
      while (wantsPoll()) {
        const s = session.value!
        pollAbort = new AbortController()
        try {
          const asked = Date.now()
          const update = await pollMessages(s.id, s.token, lastSeq.value, POLL_WAIT_SECONDS, pollAbort.signal)
          if (session.value !== s) break // a new conversation started meanwhile
          failures = 0
          reconnecting.value = false
          apply(update, true)
          // A busy server answers an empty poll at once instead of waiting: do not spin.
          if (update.messages.length === 0 && Date.now() - asked < 1000) await pause(2000)
        } catch (e) {
          if (!alive || (e instanceof DOMException && e.name === 'AbortError')) break
          if (e instanceof ApiError && (e.status === 403 || e.status === 404)) {
            // The session is gone (expired and removed, or the token no longer fits).
            state.value = 'closed'
            reconnecting.value = false
            break
          }
          reconnecting.value = true
          await pause(BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!)
          failures++
        }
      }
    } finally {
      pollRunning = false
      pollAbort = null
    }
  }

  function adopt(id: string, token: string, list: ChatMessage[], st: ChatState): void {
    stopPolling()
    session.value = { id, token }
    writeStored(options.storageKey, { id, token })
    messages.value = mergeMessages([], list)
    state.value = st
    syncPolling()
  }

  /** Opens a new conversation (the greeting comes with it). */
  async function startNew(): Promise<void> {
    starting.value = true
    error.value = ''
    try {
      const created = await createSession(options.channel, options.branchCode)
      if (!alive) {
        void closeSession(created.id, created.token).catch(() => undefined)
        return
      }
      adopt(created.id, created.token, created.messages ?? [], created.state)
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : '智能客服暂不可用，请稍后再试。'
    } finally {
      starting.value = false
    }
  }

  /** Resumes the stored conversation when it is still open, else starts a new one. */
  async function start(): Promise<void> {
    const stored = readStored(options.storageKey)
    if (stored) {
      starting.value = true
      try {
        const s = await getSession(stored.id, stored.token)
        if (s.state !== 'closed') {
          adopt(stored.id, stored.token, s.messages ?? [], s.state)
          starting.value = false
          return
        }
      } catch (e) {
        if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 404)) {
          // The network or the server failed: keep the conversation for 重试.
          error.value = e instanceof ApiError ? e.message : '智能客服暂不可用，请稍后再试。'
          starting.value = false
          return
        }
        // Gone (closed and removed, or the token no longer fits): start afresh.
      }
      starting.value = false
      writeStored(options.storageKey, null)
    }
    await startNew()
  }

  /** Sends words, a choice or 转人工; false when it failed (the text stays for another try). */
  async function send(input: ChatInput): Promise<boolean> {
    const s = session.value
    if (!s || sending.value) return false
    sending.value = true
    error.value = ''
    try {
      apply(await sendInput(s.id, s.token, input), true)
      return true
    } catch (e) {
      if (e instanceof ApiError && e.code === 'session_closed') {
        state.value = 'closed'
        error.value = ''
        // What the server says about the closing (the closed notice) comes with the session.
        await getSession(s.id, s.token)
          .then((fresh) => apply({ state: fresh.state, messages: fresh.messages ?? [] }, false))
          .catch(() => undefined)
      } else if (e instanceof ApiError && (e.status === 403 || e.status === 404)) {
        state.value = 'closed'
      } else {
        error.value = e instanceof ApiError ? e.message : '发送失败，请稍后再试。'
      }
      return false
    } finally {
      sending.value = false
    }
  }

  /** Ends the conversation (结束咨询). */
  async function close(): Promise<void> {
    const s = session.value
    if (!s) return
    stopPolling()
    try {
      const closed = await closeSession(s.id, s.token)
      apply({ state: closed.state, messages: closed.messages ?? [] }, false)
    } catch {
      state.value = 'closed'
    }
  }

  /** 重新咨询: forgets the conversation and opens a new one. */
  async function restart(): Promise<void> {
    const s = session.value
    stopPolling()
    session.value = null
    messages.value = []
    state.value = null
    writeStored(options.storageKey, null)
    if (s && options.closeOnUnmount) void closeSession(s.id, s.token).catch(() => undefined)
    await startNew()
  }

  onBeforeUnmount(() => {
    alive = false
    stopPolling()
    const s = session.value
    if (options.closeOnUnmount && s && state.value !== 'closed') {
      void closeSession(s.id, s.token).catch(() => undefined)
    }
  })

  return {
    messages,
    state,
    agent,
    empty,
    openClarify,
    starting,
    sending,
    error,
    reconnecting,
    start,
    send,
    close,
    restart,
  }
}
