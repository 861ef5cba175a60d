import { reactive } from 'vue'
import type { SearchAnswer } from '@shared/archives'

export type SearchMode = 'id_number' | 'name'

/** Common purposes offered as one-tap choices; any other text may be typed. */
export const PURPOSES = ['窗口查档', '待遇核定', '档案借阅', '电话咨询答复'] as const

/**
 * The search form and its last answer, kept while the clerk opens a person and comes back,
 * and dropped with the page (nothing is stored in the browser). The purpose also serves the
 * person page opened from the results: it never goes into a URL (access logs, history).
 */
export const search = reactive({
  mode: 'id_number' as SearchMode,
  id_number: '',
  name: '',
  birth_date: '',
  purpose: '',
  persons: null as SearchAnswer['persons'] | null,
})

/** Longest purpose the server accepts (characters). */
export const PURPOSE_MAX = 200

/**
 * The purpose of a staff read, as GET /api/v1/persons/:id and /identifiers take it: in the
 * X-Dangan-Purpose header, UTF-8 percent-encoded (a header carries no Chinese as is).
 */
export function purposeHeaders(purpose: string): Record<string, string> {
  return { 'X-Dangan-Purpose': encodeURIComponent(purpose.trim()) }
}
