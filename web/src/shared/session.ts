import { computed, readonly, ref } from 'vue'
import type { RouteLocationRaw, Router } from 'vue-router'
import { api, ApiError, configureApi, setCsrfToken, type Channel } from './api'
import type { LoginAnswer, User } from './types'

export type SessionState = 'unknown' | 'in' | 'out'

// One session per page, shared by every component that asks.
const user = ref<User | null>(null)
const state = ref<SessionState>('unknown')
let pending: Promise<User | null> | null = null
const current = computed(() => user.value)

function signIn(answer: LoginAnswer): void {
  setCsrfToken(answer.csrf_token)
  user.value = answer.user
  state.value = 'in'
}

function clear(): void {
  setCsrfToken(null)
  user.value = null
  state.value = 'out'
}

/** GET /api/v1/session: the logged-in user or null (401). Other failures reject. */
function load(force = false): Promise<User | null> {
  if (!force && state.value !== 'unknown') return Promise.resolve(user.value)
  if (pending) return pending
  pending = api
    .get<LoginAnswer>('/session', { auth: false })
    .then((answer) => {
      signIn(answer)
      return answer.user
    })
    .catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 401) {
        clear()
        return null
      }
      throw e
    })
    .finally(() => {
      pending = null
    })
  return pending
}

/** Ends this session (POST /auth/logout); the local state is cleared whatever the answer. */
async function logout(): Promise<void> {
  try {
    if (state.value === 'in') await api.post('/auth/logout', {}, { auth: false })
  } finally {
    clear()
  }
}

/** Ends every session of this user on every device (POST /auth/logout-all). */
async function logoutAll(): Promise<void> {
  await api.post('/auth/logout-all', {}, { auth: false })
  clear()
}

export function useSession() {
  return { user: current, state: readonly(state), load, signIn, clear, logout, logoutAll }
}

/**
 * Configures the API client for an app: its channel header, and on a 401 from a call that
 * needs a session, forget the session and go to the app's log-in page, coming back afterwards.
 */
export function setupApi(channel: Channel, router: Router, login: (back: string) => RouteLocationRaw): void {
  configureApi({
    channel,
    onUnauthorized: () => {
      clear()
      const here = router.currentRoute.value
      if (here.meta.public) return
      void router.replace(login(here.fullPath))
    },
  })
}

/** The `redirect` query parameter when it is a path inside this app, else `fallback`. */
export function safeRedirect(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : fallback
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in (log-in pages): a 401 there does not redirect. */
    public?: boolean
    /** Needs a session of this kind; otherwise the app's log-in page. */
    requires?: User['kind']
    /** Staff roles of which one is needed (staff console). */
    roles?: readonly string[]
  }
}
