/** Shapes of the archives API (docs/api-archives.md) and how the pages show them. */
import { getJson } from './api'

export interface Holder {
  code: string
  name: string
  kind: string
  kind_label: string
  address: string
  phone: string
  opening_hours: string
  region_code: string
}

export interface Branch {
  code: string
  name: string
  kind: string
  kind_label: string
  address: string
  phone: string
  opening_hours: string
  services: Array<{ code: string; label: string }>
  region_code: string
}

/** A record as the citizen sees it: where it is kept, never the shelf. */
export interface CitizenRecord {
  archival_code: string
  kind: string
  kind_label: string
  status: string
  status_label: string
  filed_year: number
  holder: Holder
}

/** GET /api/v1/me/archives */
export interface MyArchives {
  person: { name: string; id_number?: string }
  records: CitizenRecord[]
  next_steps: string[]
}

/** 卷内目录: one document of a record. */
export interface ArchiveItem {
  seq: number
  title: string
  doc_type: string
  doc_date: string
  page_count: number
}

export interface StaffRecord extends CitizenRecord {
  id: string
  shelf_location: string
  shelf_label: string
  retention: string
  retention_label: string
  retention_ends: string | null
  items?: ArchiveItem[]
}

export interface EmploymentPeriod {
  seq: number
  employer_name: string
  employer_credit_code: string | null
  from_date: string
  to_date: string | null
}

/** A person as staff see them: identifiers masked. */
export interface MaskedPerson {
  id: string
  name: string
  id_number: string
  mobile: string
  gender: string
  birth_date: string
  region_code: string
}

/** POST /api/v1/persons/search */
export interface SearchAnswer {
  persons: Array<MaskedPerson & { records: StaffRecord[] }>
}

/** GET /api/v1/persons/:id */
export interface PersonView extends MaskedPerson {
  records: StaffRecord[]
  employment: EmploymentPeriod[]
}

export const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' }

/** Tag colours by record status: in store is the normal case, the rest ask for attention. */
export function statusTone(status: string): 'success' | 'warning' | 'danger' | 'primary' {
  if (status === 'in_store') return 'success'
  if (status === 'destroyed') return 'danger'
  if (status === 'transferred') return 'primary'
  return 'warning'
}

/** "0431-88771234" → "043188771234" for a tel: link. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`
}

/** A few branches offering `service` (public; no session needed). Never throws: [] on failure. */
export async function branchesFor(service: string, limit = 4): Promise<Branch[]> {
  try {
    const body = (await getJson(`/branches?service=${encodeURIComponent(service)}&limit=${limit}`)) as {
      branches?: Branch[]
    }
    return Array.isArray(body.branches) ? body.branches : []
  } catch {
    return []
  }
}
