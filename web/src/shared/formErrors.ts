import { computed, reactive, ref } from 'vue'
import { ApiError } from './api'
import { useCountdown } from './countdown'

/** "45 秒", "14 分 19 秒" */
export function formatWait(seconds: number): string {
  return seconds < 60 ? `${seconds} 秒` : `${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒`
}

/**
 * Errors of one form: a message per named field (the server's `field`), a general message
 * for the rest, and the countdown of a 429 or a locked account (`retry_after`).
 */
export function useFormErrors<F extends string>(fields: readonly F[]) {
  const field = reactive<Record<string, string>>({}) as Record<F, string | undefined>
  const general = ref('')
  const wait = useCountdown()

  function clear(): void {
    for (const f of fields) field[f] = undefined
    general.value = ''
  }

  /** Shows `e`: next to its field when the form has it, else as the general message. */
  function show(e: unknown): void {
    clear()
    if (!(e instanceof ApiError)) {
      general.value = '出现意外错误，请稍后再试。'
      return
    }
    if (e.retryAfter) wait.start(e.retryAfter)
    const target = fields.find((f) => f === e.field)
    if (target && e.status !== 429) field[target] = e.message
    else general.value = e.message
  }

  /** Runs the local checks; true when every field passed. */
  function check(checks: Partial<Record<F, string | null>>): boolean {
    clear()
    let ok = true
    for (const f of fields) {
      const problem = checks[f]
      if (problem) {
        field[f] = problem
        ok = false
      }
    }
    return ok
  }

  // The general message with the wait kept current: the server's "请在 58 秒后再试" counts
  // down in place; a message without seconds gets the wait added.
  const message = computed(() => {
    const left = wait.left.value
    if (!general.value || left <= 0) return general.value
    if (/\d+\s*秒/.test(general.value)) return general.value.replace(/\d+\s*秒/, `${left} 秒`)
    return `${general.value}（还需等待 ${formatWait(left)}）`
  })
  return { field, general, message, wait, clear, show, check }
}
