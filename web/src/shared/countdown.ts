import { computed, getCurrentScope, onScopeDispose, ref } from 'vue'

/** Seconds left until a wait ends (SMS resend, rate limits, locked accounts). */
export function useCountdown() {
  const left = ref(0)
  let timer = 0
  let endsAt = 0

  function tick(): void {
    left.value = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000))
    if (left.value === 0) stop()
  }
  function stop(): void {
    window.clearInterval(timer)
    timer = 0
    left.value = 0
  }
  function start(seconds: number): void {
    window.clearInterval(timer)
    endsAt = Date.now() + Math.max(0, seconds) * 1000
    left.value = Math.ceil(Math.max(0, seconds))
    if (left.value > 0) timer = window.setInterval(tick, 250)
  }
  if (getCurrentScope()) onScopeDispose(stop)

  return { left, running: computed(() => left.value > 0), start, stop }
}
