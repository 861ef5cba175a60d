import { computed, ref } from 'vue'
import { api, ApiError } from './api'
import { branchesFor, cityOf, splitRecords, type Branch, type MyArchives } from './archives'
import { useSession } from './session'

/**
 * The citizen's own archive locations (GET /me/archives) as the portal and the kiosk show them:
 * records still kept apart from transferred and destroyed ones, the greeting name, and — when
 * nothing is found — branches in the citizen's own city.
 */
export function useMyArchives() {
  const session = useSession()
  const answer = ref<MyArchives | null>(null)
  const branches = ref<Branch[]>([])
  const loading = ref(true)
  const error = ref('')
  const records = computed(() => splitRecords(answer.value?.records ?? []))
  const name = computed(() => {
    const user = session.user.value
    return (user?.kind === 'citizen' ? user.name : '') || answer.value?.person.name || ''
  })

  /** The citizen's city, from the masked ID number: branches near them, not the province's first. */
  function city(): string | null {
    const user = session.user.value
    return cityOf(answer.value?.person.id_number, user?.kind === 'citizen' ? user.id_number : null)
  }

  async function load(): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      answer.value = await api.get<MyArchives>('/me/archives')
      if (answer.value.records.length === 0) branches.value = await branchesFor('lookup', city())
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : '查询失败，请稍后再试。'
    } finally {
      loading.value = false
    }
  }

  return { answer, branches, loading, error, records, name, load }
}
