/**
 * Appointments (docs/api-appointments.md): the shapes, every call the portal, the kiosk and the
 * staff console make, and the words people see for states, purposes, dates and the no-show bar.
 */
import { api, ApiError, getJson, query, request } from './api'
import type { Branch } from './archives'
import type { User } from './types'

export type Kind = 'visit' | 'retrieval'
export type State =
  | 'booked'
  | 'checked_in'
  | 'received'
  | 'preparing'
  | 'ready'
  | 'collected'
  | 'mailed'
  | 'returned'
  | 'cancelled'
  | 'no_show'
export type Delivery = 'pickup' | 'mail'

export interface Slot {
  id: string
  date: string
  start: string
  end: string
  starts_at: string
  ends_at: string
  capacity: number
  remaining: number
  bookable: boolean
}

export interface Day {
  date: string
  /** 1 (Monday) … 7 (Sunday) */
  weekday: number
  open: boolean
  /** 元旦, 调休上班… */
  note: string | null
  slots: Slot[]
}

export interface BranchBrief {
  code: string
  name: string
  address: string
  phone: string
}

/** GET /branches/:code/calendar */
export interface BranchCalendar {
  branch: BranchBrief
  service: Kind
  horizon_days: number
  last_bookable_date: string
  days: Day[]
}

export interface Material {
  record_id?: string | null
  item_seq?: number | null
  text?: string
}

export interface MailTo {
  name: string
  phone: string
  address: string
}

/** One step in an appointment's history (staff view). */
export interface HistoryEntry {
  at: string
  action: string
  actor_id: string | null
  note: string | null
}

export interface Appointment {
  id: string
  code: string
  kind: Kind
  kind_label: string
  state: State
  state_label: string
  branch: BranchBrief
  date: string
  start: string
  end: string
  starts_at: string
  ends_at: string
  deadline_at: string | null
  channel: string
  created_at: string
  can_cancel: boolean
  cancel_cutoff_at: string | null
  late_cancel_is_no_show: boolean
  purpose?: string
  purpose_label?: string
  purpose_detail?: string
  materials?: Material[]
  delivery?: Delivery
  mail_to?: MailTo | null
  courier?: string | null
  tracking_number?: string | null
  return_reason?: string | null
  no_show_at: string | null
  no_show_reason: 'absent' | 'late_cancel' | null
  no_show_voided: boolean
  void_reason: string | null
  /** Staff views only. */
  person?: { id: string; name: string; id_number: string }
  checked_in_at?: string | null
  history?: HistoryEntry[]
}

/** The no-show rule as it stands for one person. */
export interface Bar {
  barred: boolean
  until: string | null
  reopens_on: string | null
  no_shows_this_month: number
  limit: number
  reason: string | null
}

export interface MyAppointments {
  appointments: Appointment[]
  bar: Bar
}

/** POST /appointments/check-in */
export interface CheckedIn {
  code: string
  kind: Kind
  date: string
  start: string
  end: string
  state: State
  person_name: string
}

export interface VisitRules {
  slot_minutes: number
  capacity: number
  horizon_days: number
  release_time: string
}

export interface RetrievalRules {
  capacity: number
  horizon_days: number
  release_time: string
}

export interface OpeningHours {
  weekday: number
  opens: string
  closes: string
}

export interface BookingRules {
  visit: VisitRules
  retrieval: RetrievalRules
  hours: OpeningHours[]
}

export interface CalendarEntry {
  date: string
  kind: 'holiday' | 'workday'
  name: string
  /** "" for every branch, else a branch code. */
  scope: string
}

export const STATE_LABELS: Record<State, string> = {
  booked: '已预约',
  checked_in: '已签到',
  received: '已受理',
  preparing: '备档中',
  ready: '待领取',
  collected: '已领取',
  mailed: '已邮寄',
  returned: '已退回',
  cancelled: '已取消',
  no_show: '失约',
}

export const KIND_LABELS: Record<Kind, string> = { visit: '预约到访', retrieval: '查档登记' }

export const PURPOSES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'retirement', label: '退休审批' },
  { value: 'notary', label: '公证' },
  { value: 'litigation', label: '诉讼' },
  { value: 'employment', label: '就业/入职' },
  { value: 'insurance', label: '社保待遇' },
  { value: 'personal', label: '个人留存' },
  { value: 'other', label: '其他' },
]

export const DELIVERY_LABELS: Record<Delivery, string> = { pickup: '到网点领取', mail: '快递邮寄（邮费到付）' }

export const NO_SHOW_REASONS: Record<string, string> = { absent: '未按时签到', late_cancel: '超过取消截止时间后取消' }

/** History actions as staff read them. */
export const EVENT_LABELS: Record<string, string> = {
  created: '提交预约',
  checked_in: '签到',
  preparing: '开始备档',
  ready: '材料已备好',
  collected: '已领取',
  mailed: '已邮寄',
  returned: '退回',
  cancelled: '取消',
  no_show: '记为失约',
  no_show_voided: '撤销失约',
}

export const CHANNEL_LABELS: Record<string, string> = {
  web: '网站',
  mobile: '手机',
  kiosk: '自助终端',
  window: '窗口',
  staff: '窗口',
}

/** States in which the appointment is still to be served (shown first, counted as active). */
export const ACTIVE_STATES: readonly State[] = ['booked', 'checked_in', 'received', 'preparing', 'ready']

export type Tone = 'primary' | 'success' | 'warning' | 'danger' | 'default'

/** Colour of a state tag: waiting blue, done green, needs the person orange, failed red. */
export function stateTone(state: string): Tone {
  if (state === 'booked' || state === 'received' || state === 'preparing') return 'primary'
  if (state === 'checked_in' || state === 'collected' || state === 'mailed') return 'success'
  if (state === 'ready') return 'warning'
  if (state === 'no_show' || state === 'returned') return 'danger'
  return 'default'
}

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日']

export function weekdayLabel(weekday: number): string {
  return WEEKDAYS[weekday] ?? ''
}

export const WEEKDAY_OPTIONS = [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: WEEKDAYS[d] ?? '' }))

/** Parts of "2026-12-01". */
function dateParts(date: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null
}

/** "2026-12-01" → "12月1日" */
export function shortDate(date: string): string {
  const p = dateParts(date)
  return p ? `${p[1]}月${p[2]}日` : date
}

/** "2026-12-01" → "2026年12月1日" */
export function longDate(date: string): string {
  const p = dateParts(date)
  return p ? `${p[0]}年${p[1]}月${p[2]}日` : date
}

/** Weekday (1–7) of a calendar date, independent of the browser's time zone. */
export function weekdayOf(date: string): number {
  const p = dateParts(date)
  if (!p) return 0
  const d = new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay()
  return d === 0 ? 7 : d
}

/** "2026年12月1日（周二）" */
export function dateWithWeekday(date: string): string {
  return `${longDate(date)}（${weekdayLabel(weekdayOf(date))}）`
}

/** "2026年12月1日（周二）09:00–09:30" */
export function whenText(a: { date: string; start: string; end: string }): string {
  return `${dateWithWeekday(a.date)} ${a.start}–${a.end}`
}

/** "2026-12-01T10:00:00+08:00" → "12月1日 10:00" in Asia/Shanghai (the times the server gives). */
export function shortDateTime(at: string | null | undefined): string {
  if (!at) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(at)
  if (m && at.endsWith('+08:00')) return `${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`
  const d = new Date(at)
  if (Number.isNaN(d.getTime())) return at
  const f = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(d)
  const get = (t: string): string => f.find((p) => p.type === t)?.value ?? ''
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`
}

/** "8 位预约号 48213907" read in groups: "4821 3907". */
export function groupCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code
}

/** The date booking reopens, from the bar or from a booking_barred error. */
export function reopenText(reopensOn: string | null | undefined): string {
  return reopensOn ? `${longDate(reopensOn)}起可重新预约` : ''
}

/** The bar as one sentence for a banner: why, and from when booking is possible again. */
export function barText(bar: Bar): string {
  const why = bar.reason || `本月失约已达${bar.no_shows_this_month}次`
  const when = reopenText(bar.reopens_on)
  return when ? `${why.replace(/[。，,.]$/, '')}，${when}。` : why
}

/** Text for each material of a retrieval. */
export function materialText(m: Material): string {
  return m.text || (m.item_seq ? `卷内第 ${m.item_seq} 件` : '')
}

/** The reopen date a 403 booking_barred carries (error.reopens_on), when it does. */
export function reopensOnOf(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.code !== 'booking_barred') return null
  const m = /(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(e.message)
  if (!m) return null
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
}

/**
 * The Idempotency-Key of one confirmed booking form: the same body sent again (a retry after a
 * lost answer) reuses its key, so the server answers with the first booking instead of a
 * second one; any other body gets a new key. Forget the key once the server has answered.
 */
export function useIdempotencyKey() {
  let key = ''
  let body = ''
  return {
    for(payload: unknown): string {
      const text = JSON.stringify(payload)
      if (!key || text !== body) {
        key = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : fallbackKey()
        body = text
      }
      return key
    },
    /** After an answer that settles the form (success, or an error a retry would not change). */
    forget(): void {
      key = ''
      body = ''
    },
  }
}

function fallbackKey(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** True when the request may not have reached the server (worth sending again with the same key). */
export function isRetryable(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.status >= 500)
}

// ---- calls -------------------------------------------------------------------------------

const enc = encodeURIComponent

/** Public: the bookable days of a branch from `from` (default: the server's today). */
export async function branchCalendar(branch: string, service: Kind, days = 31, from?: string): Promise<BranchCalendar> {
  return (await getJson(`/branches/${enc(branch)}/calendar${query({ service, from, days })}`)) as BranchCalendar
}

/** One branch by its code (public branch list of its district), or null. */
export async function findBranch(code: string): Promise<Branch | null> {
  try {
    const body = (await getJson(`/branches${query({ region: code.slice(0, 6), limit: 100 })}`)) as { branches?: Branch[] }
    return body.branches?.find((b) => b.code === code) ?? null
  } catch {
    return null
  }
}

/** True when `branch` offers the service (the calendar answers 409 service_not_offered otherwise). */
export function offers(branch: Branch | null, service: Kind): boolean {
  return branch?.services.some((s) => s.code === service) ?? false
}

/** The server's today (Asia/Shanghai): the first day of a branch's calendar. */
export async function serverToday(branch: string): Promise<string | null> {
  try {
    return (await branchCalendar(branch, 'visit', 1)).days[0]?.date ?? null
  } catch {
    return null
  }
}

export interface VisitBooking {
  kind: 'visit'
  slot_id: string
  id_number?: string
}

export interface RetrievalBooking {
  kind: 'retrieval'
  branch_code: string
  date: string
  purpose: string
  purpose_detail: string
  materials: Material[]
  delivery: Delivery
  mail_to?: MailTo
  id_number?: string
}

export type Booking = VisitBooking | RetrievalBooking

/** POST /appointments with the form's Idempotency-Key. */
export async function book(body: Booking, idempotencyKey: string): Promise<Appointment> {
  const answer = await api.post<{ appointment: Appointment }>('/appointments', body, {
    headers: { 'Idempotency-Key': idempotencyKey },
  })
  return answer.appointment
}

export function myAppointments(): Promise<MyAppointments> {
  return api.get<MyAppointments>('/me/appointments')
}

export async function cancelAppointment(id: string, reason?: string): Promise<Appointment> {
  const body = reason ? { reason } : {}
  return (await api.post<{ appointment: Appointment }>(`/appointments/${enc(id)}/cancel`, body)).appointment
}

/** Public check-in (kiosk): by booking code, or by the ID card's number and name. */
export async function checkIn(
  body: { branch_code: string; code: string } | { branch_code: string; id_number: string; name: string },
): Promise<CheckedIn> {
  return (await api.post<{ appointment: CheckedIn }>('/appointments/check-in', body, { auth: false })).appointment
}

// ---- staff -------------------------------------------------------------------------------

/** True when a grant's scope (city "2201", district "220102" or branch "220102-001") covers `branch`. */
export function scopeCovers(scope: string, branch: string): boolean {
  return scope.includes('-') ? scope === branch : branch.startsWith(scope)
}

/** True when `user` holds one of `roles` with a scope covering `branch`. */
export function mayAt(user: User | null | undefined, roles: readonly string[], branch: string): boolean {
  return user?.kind === 'staff' && user.grants.some((g) => roles.includes(g.role) && scopeCovers(g.scope, branch))
}

/** The branches inside the scopes of `user`'s grants of `roles` (public branch list, by region). */
export async function staffBranches(user: User | null | undefined, roles: readonly string[]): Promise<Branch[]> {
  if (user?.kind !== 'staff') return []
  const scopes = [...new Set(user.grants.filter((g) => roles.includes(g.role)).map((g) => g.scope))]
  const found = new Map<string, Branch>()
  await Promise.all(
    scopes.map(async (scope) => {
      const region = scope.split('-')[0] ?? scope
      const body = (await getJson(`/branches${query({ region, limit: 100 })}`)) as { branches?: Branch[] }
      for (const b of body.branches ?? []) if (scopeCovers(scope, b.code)) found.set(b.code, b)
    }),
  )
  return [...found.values()].sort((a, b) => a.code.localeCompare(b.code))
}

export async function branchQueue(
  branch: string,
  params: { date?: string; kind?: string; state?: string; code?: string },
): Promise<{ date: string; appointments: Appointment[] }> {
  return api.get(`/branches/${enc(branch)}/queue${query(params)}`)
}

export async function staffAppointment(id: string): Promise<Appointment> {
  return (await api.get<{ appointment: Appointment }>(`/appointments/${enc(id)}`)).appointment
}

export type StaffAction = 'check-in' | 'prepare' | 'ready' | 'collect' | 'mail' | 'return' | 'void-no-show' | 'cancel'

export async function staffAction(id: string, action: StaffAction, body: Record<string, string> = {}): Promise<Appointment> {
  return (await api.post<{ appointment: Appointment }>(`/appointments/${enc(id)}/${action}`, body)).appointment
}

export function bookingRules(branch: string): Promise<BookingRules> {
  return api.get<BookingRules>(`/branches/${enc(branch)}/booking-rules`)
}

export function saveBookingRules(branch: string, rules: BookingRules): Promise<BookingRules> {
  return request<BookingRules>('PUT', `/branches/${enc(branch)}/booking-rules`, rules)
}

export async function calendarDays(branch: string, from: string, to: string): Promise<CalendarEntry[]> {
  return (await api.get<{ days: CalendarEntry[] }>(`/calendar/days${query({ branch_code: branch, from, to })}`)).days
}

export async function saveCalendarDay(entry: CalendarEntry): Promise<CalendarEntry> {
  const body = { scope: entry.scope, kind: entry.kind, name: entry.name }
  return (await request<{ day: CalendarEntry }>('PUT', `/calendar/days/${enc(entry.date)}`, body)).day
}

export async function deleteCalendarDay(date: string, scope: string): Promise<void> {
  await api.del(`/calendar/days/${enc(date)}?scope=${enc(scope)}`)
}
