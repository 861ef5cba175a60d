import { onBeforeUnmount, onMounted } from 'vue'

const EVENTS = ['pointerdown', 'keydown', 'wheel'] as const

/** Calls onIdle after `ms` without a touch, key or wheel event; any such event restarts the wait. */
export function useIdle(ms: number, onIdle: () => void): void {
  let timer = 0
  const restart = (): void => {
    window.clearTimeout(timer)
    timer = window.setTimeout(onIdle, ms)
  }
  onMounted(() => {
    EVENTS.forEach((e) => window.addEventListener(e, restart, { passive: true, capture: true }))
    restart()
  })
  onBeforeUnmount(() => {
    window.clearTimeout(timer)
    EVENTS.forEach((e) => window.removeEventListener(e, restart, { capture: true }))
  })
}
