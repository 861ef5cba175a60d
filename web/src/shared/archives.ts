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

/**
 * True while the holder still keeps the record (in store, lent out, being transferred): only then
 * is the holder where the person should go. A transferred or destroyed record is not there.
 */
export function isHeld(status: string): boolean {
  return status !== 'transferred' && status !== 'destroyed'
}

/** The records split into those still kept by their holder and those that are gone. */
export function splitRecords<T extends { status: string }>(records: T[]): { held: T[]; gone: T[] } {
  return { held: records.filter((r) => isHeld(r.status)), gone: records.filter((r) => !isHeld(r.status)) }
}

/** An item's line under its title: "合同 · 2008-06-20 · 6 页". */
export function itemDetail(it: ArchiveItem): string {
  return [it.doc_type, it.doc_date, it.page_count ? `${it.page_count} 页` : ''].filter(Boolean).join(' · ')
}

/** "0431-88771234" → "043188771234" for a tel: link. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`
}

/**
 * The city (4-digit administrative code) a citizen belongs to, from the first candidate that
 * starts with four digits: a region code, or a masked ID number such as "2201**********0015"
 * (its first digits are where the card was issued). Null when none does.
 */
export function cityOf(...candidates: Array<string | null | undefined>): string | null {
  for (const c of candidates) {
    const m = /^(\d{4})/.exec(c ?? '')
    if (m?.[1]) return m[1]
  }
  return null
}

async function listBranches(service: string, region: string | null, limit: number): Promise<Branch[]> {
  const params = new URLSearchParams({ service, limit: String(limit) })
  if (region) params.set('region', region)
  const body = (await getJson(`/branches?${params.toString()}`)) as { branches?: Branch[] }
  return Array.isArray(body.branches) ? body.branches : []
}

/**
 * A few branches offering `service` in `region` (a city, or the kiosk's own district; public, no
 * session needed): the person is sent somewhere near, not to the province's first branches. A
 * region without one falls back to its province. Never throws: [] on failure.
 */
export async function branchesFor(service: string, region: string | null, limit = 4): Promise<Branch[]> {
  try {
    const near = await listBranches(service, region, limit)
    if (near.length || !region || region.length <= 2) return near
    return await listBranches(service, region.slice(0, 2), limit)
  } catch {
    return []
  }
}
