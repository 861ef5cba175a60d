import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

const EVENTS = ['pointerdown', 'keydown', 'wheel'] as const

/** Calls `handler` on every touch, key or wheel event while the calling component is mounted. */
function onActivity(handler: () => void): void {
  onMounted(() => EVENTS.forEach((e) => window.addEventListener(e, handler, { passive: true, capture: true })))
  onBeforeUnmount(() => EVENTS.forEach((e) => window.removeEventListener(e, handler, { capture: true })))
}

/** Calls onIdle after `ms` without a touch, key or wheel event; any such event restarts the wait. */
export function useIdle(ms: number, onIdle: () => void): void {
  let timer = 0
  const restart = (): void => {
    window.clearTimeout(timer)
    timer = window.setTimeout(onIdle, ms)
  }
  onActivity(restart)
  onMounted(restart)
  onBeforeUnmount(() => window.clearTimeout(timer))
}

/**
 * Like useIdle, and also the whole seconds left before onIdle, so that a screen showing
 * personal data can say when it will close. onIdle is called once.
 */
export function useIdleCountdown(ms: number, onIdle: () => void): Ref<number> {
  const left = ref(Math.ceil(ms / 1000))
  let last = Date.now()
  let timer = 0
  const tick = (): void => {
    left.value = Math.max(0, Math.ceil((last + ms - Date.now()) / 1000))
    if (left.value > 0) return
    window.clearInterval(timer)
    onIdle()
  }
  onActivity(() => {
    last = Date.now()
    left.value = Math.ceil(ms / 1000)
  })
  onMounted(() => {
    last = Date.now()
    timer = window.setInterval(tick, 1000)
  })
  onBeforeUnmount(() => window.clearInterval(timer))
  return left
}
