/**
 * The ID-card reader bridge on the kiosk machine (docs/api-archives.md): GET <url>/card answers
 * the card's fields while a card lies on the reader and 404 otherwise. Its address comes from
 * GET /api/v1/info (kiosk.card_reader_url), which the server also allows in the CSP.
 */
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue'
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

/**
 * waiting: the reader answers, no card yet; stale: the card on it was read already (the person
 * went back, or the last person left it) and is read again only after it has been taken off;
 * offline: no bridge (type on the keypad instead).
 */
export type ReaderState = 'connecting' | 'waiting' | 'stale' | 'offline'

const POLL_MS = 1_000
// A missing bridge is asked less often: it is not coming back every second.
const OFFLINE_POLL_MS = 5_000
const TIMEOUT_MS = 900

function isIdCard(v: unknown): v is IdCard {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o.id_number === 'string' && typeof o.name === 'string'
}

/**
 * The ID number of the card read last, until the reader reports that no card lies there. Kept
 * for the whole page rather than per log-in screen: a card left on the reader after 退出 must
 * not log the next person in as its owner.
 */
const lastRead = ref<string | null>(null)

/** True while a card that was read may still lie on the reader: the exit screens ask to take it. */
export const cardLeftOnReader = computed(() => lastRead.value !== null)

let readerUrl: string | null = null

async function bridgeUrl(): Promise<string> {
  readerUrl ??= (await serverInfo())?.kiosk?.card_reader_url ?? null
  if (!readerUrl) throw new Error('no card reader configured')
  return readerUrl
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
 * placed: a card still lying there (after the person went back, or after the last person logged
 * out) is not read again until the reader has reported it taken off.
 */
export function useCardReader(active: Ref<boolean>, onCard: (card: IdCard) => void) {
  const state = poller(active, (card) => {
    if (!card) return
    if (card.id_number === lastRead.value) {
      state.value = 'stale'
      return
    }
    lastRead.value = card.id_number
    onCard(card)
  })
  return { state }
}

/**
 * Watches the reader while a card that was read may still lie there (the exit and idle screens
 * showing 请取走您的身份证), so that the request goes away once the card is taken.
 */
export function useCardRemoval(): void {
  poller(cardLeftOnReader, () => undefined)
}

/**
 * Reads the bridge every POLL_MS while `active` (OFFLINE_POLL_MS while it does not answer),
 * forgets the last card read when the reader reports none, and hands each answer to `onAnswer`.
 * Stops with the component. Gives the reader's state.
 */
function poller(active: Ref<boolean>, onAnswer: (card: IdCard | null) => void): Ref<ReaderState> {
  const state = ref<ReaderState>('connecting')
  let timer = 0
  // Each start of polling gets a number; a read still in flight from an earlier one is ignored.
  let generation = 0

  async function poll(gen: number): Promise<void> {
    let wait = POLL_MS
    try {
      const card = await readCard(await bridgeUrl())
      if (gen !== generation) return
      state.value = 'waiting'
      if (!card) lastRead.value = null
      onAnswer(card)
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
  return state
}
