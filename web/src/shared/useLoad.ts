import { onMounted, ref, type Ref } from 'vue'
import { ApiError } from './api'

/**
 * What a page or dialog shows once it has come: `fetch` runs on mount and again on `load` (重试,
 * or after a change elsewhere). `data` keeps the last answer while a new one comes; `error` is the
 * failure in words, cleared when loading starts.
 */
export function useLoad<T>(fetch: () => Promise<T>) {
  const data = ref(null) as Ref<T | null>
  const loading = ref(true)
  const error = ref('')

  async function load(): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      data.value = await fetch()
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : '加载失败，请稍后再试。'
    } finally {
      loading.value = false
    }
  }

  onMounted(load)
  return { data, loading, error, load }
}
