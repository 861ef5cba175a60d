import { reactive } from 'vue'
import type { SearchAnswer } from '@shared/archives'

export type SearchMode = 'id_number' | 'name'

/** Common purposes offered as one-tap choices; any other text may be typed. */
export const PURPOSES = ['窗口查档', '待遇核定', '档案借阅', '电话咨询答复'] as const

/**
 * The search form and its last answer, kept while the clerk opens a person and comes back,
 * and dropped with the page (nothing is stored in the browser).
 */
export const search = reactive({
  mode: 'id_number' as SearchMode,
  id_number: '',
  name: '',
  birth_date: '',
  purpose: '',
  persons: null as SearchAnswer['persons'] | null,
})
