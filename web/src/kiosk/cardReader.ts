/**
 * The ID-card reader bridge on the kiosk machine (docs/api-archives.md): GET <url>/card answers
 * the card's fields while a card lies on the reader and 404 otherwise. Its address comes from
 * GET /api/v1/info (kiosk.card_reader_url), which the server also allows in the CSP.
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { serverInfo } from '@shared/info'

export interface IdCard {
  id_number: string
  name: string
  gender: string
  nation: string
  birth_date: string
  address: string
  issuer: string
  valid_from: string
  valid_to: string
}

/** waiting: the reader answers, no card yet; offline: no bridge (type on the keypad instead). */
export type ReaderState = 'connecting' | 'waiting' | 'offline'

const POLL_MS = 1_000
// A missing bridge is asked less often: it is not coming back every second.
const OFFLINE_POLL_MS = 5_000
const TIMEOUT_MS = 900

function isIdCard(v: unknown): v is IdCard {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o.id_number === 'string' && typeof o.name === 'string'
}

/** One read of the bridge: the card, null when none lies there; throws when there is no bridge. */
async function readCard(base: string): Promise<IdCard | null> {
  const controller = new AbortController()
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS)
  try {
    const res = await fetch(`${base.replace(/\/+$/, '')}/card`, {
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    })
    if (res.status === 404) return null
    const body: unknown = await res.json()
    if (!res.ok || !isIdCard(body)) throw new Error(`card reader answered ${res.status}`)
    return body
  } finally {
    window.clearTimeout(timer)
  }
}

/**
 * Polls the reader about once a second while `active` is true and calls `onCard` once per card
 * placed: a card still lying there after the person went back is not read again until it has
 * been taken off.
 */
export function useCardReader(active: Ref<boolean>, onCard: (card: IdCard) => void) {
  const state = ref<ReaderState>('connecting')
  let base: string | null = null
  let timer = 0
  // Each start of polling gets a number; a read still in flight from an earlier one is ignored.
  let generation = 0
  let lastRead: string | null = null

  async function poll(gen: number): Promise<void> {
    let wait = POLL_MS
    try {
      base ??= (await serverInfo())?.kiosk?.card_reader_url ?? null
      if (!base) throw new Error('no card reader configured')
      const card = await readCard(base)
      if (gen !== generation) return
      state.value = 'waiting'
      if (!card) lastRead = null
      else if (card.id_number !== lastRead) {
        lastRead = card.id_number
        onCard(card)
      }
    } catch {
      if (gen !== generation) return
      state.value = 'offline'
      wait = OFFLINE_POLL_MS
    }
    if (gen === generation && active.value) timer = window.setTimeout(() => void poll(gen), wait)
  }

  function stop(): void {
    generation++
    window.clearTimeout(timer)
  }

  watch(
    active,
    (on) => {
      stop()
      if (on) void poll(generation)
    },
    { immediate: true },
  )
  onBeforeUnmount(stop)
  return { state }
}
