import { computed, reactive, ref, watch } from 'vue'
import { api, ApiError } from './api'
import { isRetryable, useIdempotencyKey } from './appointments'
import type { ArchiveItem, CitizenRecord, MyArchives } from './archives'
import { issueMine, type Certificate, type CertificateKind, type IssueBody } from './certificates'
import { useFormErrors } from './formErrors'

/** A record of the citizen's own as GET /me/archives lists it, with its id and items. */
export type OwnRecord = CitizenRecord & { id: string; items?: ArchiveItem[] }

/**
 * A citizen's certificate form as the portal (/certificates/new) and the kiosk (打印查档证明) fill
 * it: the kind; for 档案材料证明 one record with items (the only such record is chosen at once) and
 * the items ticked in it; the purpose and its words. `issue` sends it to POST /me/certificates with
 * one Idempotency-Key per form, reused only for a retry; each page checks the form its own way first.
 */
export function useCertificateForm() {
  const errors = useFormErrors(['kind', 'record_id', 'item_seqs', 'purpose', 'purpose_detail'] as const)
  const key = useIdempotencyKey()
  const records = ref<OwnRecord[]>([])
  const loadError = ref('')
  const busy = ref(false)
  const issued = ref<Certificate | null>(null)
  const draft = reactive({ kind: '' as CertificateKind | '', record: '', items: [] as number[], purpose: '', detail: '' })

  const withItems = computed(() => records.value.filter((r) => r.items?.length))
  const record = computed(() => records.value.find((r) => r.id === draft.record) ?? null)

  watch(
    () => draft.kind,
    (kind) => {
      errors.clear()
      draft.items = []
      draft.record = kind === 'items' && withItems.value.length === 1 ? (withItems.value[0]?.id ?? '') : ''
    },
  )
  watch(
    () => draft.record,
    () => {
      draft.items = []
      errors.field.record_id = undefined
    },
  )

  function toggle(seq: number): void {
    const i = draft.items.indexOf(seq)
    if (i >= 0) draft.items.splice(i, 1)
    else draft.items.push(seq)
    errors.field.item_seqs = undefined
  }

  /** GET /me/archives: the citizen's records, or `loadError` in words. */
  async function loadRecords(): Promise<void> {
    try {
      records.value = (await api.get<MyArchives>('/me/archives')).records as OwnRecord[]
    } catch (e) {
      loadError.value = e instanceof ApiError ? e.message : '档案信息加载失败，请稍后再试。'
    }
  }

  function body(): IssueBody {
    const b: IssueBody = { kind: draft.kind as CertificateKind, purpose: draft.purpose }
    const detail = draft.detail.trim()
    if (detail) b.purpose_detail = detail
    if (draft.record) b.record_id = draft.record
    if (draft.kind === 'items') b.item_seqs = [...draft.items].sort((x, y) => x - y)
    return b
  }

  /** Issues the certificate (`extra`: the kiosk's branch): it, or null with the error shown. */
  async function issue(extra: Partial<IssueBody> = {}): Promise<Certificate | null> {
    if (busy.value) return null
    busy.value = true
    errors.clear()
    const payload = { ...body(), ...extra }
    try {
      issued.value = await issueMine(payload, key.for(payload))
      key.forget()
      return issued.value
    } catch (e) {
      if (!isRetryable(e)) key.forget()
      errors.show(e)
      return null
    } finally {
      busy.value = false
    }
  }

  return { errors, records, loadError, busy, issued, draft, withItems, record, toggle, loadRecords, issue }
}
