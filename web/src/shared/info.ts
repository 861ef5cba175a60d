import { computed, readonly, ref } from 'vue'
import { getJson } from './api'

/** Body of GET /api/v1/info. */
export interface ServerInfo {
  name: string
  version: string
  revision: string
  database: string
  /** The kiosk's ID-card reader bridge (config kiosk.card_reader_url). */
  kiosk?: { card_reader_url?: string }
}

export function isServerInfo(v: unknown): v is ServerInfo {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return ['name', 'version', 'revision', 'database'].every((k) => typeof o[k] === 'string')
}

/** "v0.1.0 · abc123 · sqlite" */
export function formatServerInfo(info: ServerInfo): string {
  return `v${info.version} · ${info.revision} · ${info.database}`
}

export type InfoState = 'loading' | 'ok' | 'error'

// One request per page load, shared by every component that asks.
const info = ref<ServerInfo | null>(null)
const state = ref<InfoState>('loading')
let loaded: Promise<void> | null = null

function load(): Promise<void> {
  loaded ??= getJson('/info')
    .then((body) => {
      if (!isServerInfo(body)) throw new Error('unexpected /info body')
      info.value = body
      state.value = 'ok'
    })
    .catch(() => {
      state.value = 'error'
    })
  return loaded
}

/** The /info answer once it has arrived (null when the server cannot be reached). */
export async function serverInfo(): Promise<ServerInfo | null> {
  await load()
  return info.value
}

/** Server name/version/revision/database for status lines; never throws. */
export function useServerInfo() {
  void load()
  const text = computed(() => {
    if (state.value === 'ok' && info.value) return formatServerInfo(info.value)
    return state.value === 'loading' ? '正在连接服务…' : '服务暂不可用'
  })
  return { info: readonly(info), state: readonly(state), text }
}
