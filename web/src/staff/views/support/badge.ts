/**
 * The number of citizens waiting in the 在线客服 queue, shown as a badge on the menu entry for
 * agents. 在线客服 keeps it current from its long poll; elsewhere the menu reads the queue every
 * 20 seconds (no sound, no notification: a number).
 */
import { ref } from 'vue'
import { getQueue } from './support'

export const waitingCount = ref(0)
let lastSet = 0
let timer: number | null = null

export function setWaitingCount(n: number): void {
  waitingCount.value = n
  lastSet = Date.now()
}

async function poll(): Promise<void> {
  if (Date.now() - lastSet < 15_000) return // the open queue page keeps it current
  try {
    setWaitingCount((await getQueue()).waiting.length)
  } catch {
    // the badge is a hint: say nothing when the queue cannot be read
  }
}

/** Starts (once) or stops reading the queue for the badge. */
export function followWaitingCount(on: boolean): void {
  if (on && timer === null) {
    void poll()
    timer = window.setInterval(() => void poll(), 20_000)
  } else if (!on && timer !== null) {
    window.clearInterval(timer)
    timer = null
    waitingCount.value = 0
  }
}
