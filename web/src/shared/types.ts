/** Shapes of the identity API (docs/api-identity.md). */

export interface Grant {
  role: string
  scope: string
}

export interface CitizenUser {
  kind: 'citizen'
  id: string
  name: string
  /** Masked: 2201**********1234 */
  id_number: string
  /** Masked: 138****5678 */
  mobile: string
}

export interface StaffUser {
  kind: 'staff'
  id: string
  username: string
  display_name: string
  grants: Grant[]
}

export interface EmployerInfo {
  id: string
  name: string
  credit_code: string
}

export interface EmployerUser {
  kind: 'employer'
  id: string
  username: string
  display_name: string
  employer: EmployerInfo
}

export type User = CitizenUser | StaffUser | EmployerUser

/** A successful log-in, and GET /api/v1/session. */
export interface LoginAnswer {
  user: User
  csrf_token: string
}

/** A staff member's first log-in: the TOTP secret, shown once. */
export interface EnrolAnswer {
  step: 'enrol_totp'
  enrolment_token: string
  otpauth_uri: string
  qr_svg: string
}

export function isLoginAnswer(v: unknown): v is LoginAnswer {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  const user = o.user as Record<string, unknown> | null | undefined
  return typeof o.csrf_token === 'string' && typeof user === 'object' && user !== null && typeof user.kind === 'string'
}

export function isEnrolAnswer(v: unknown): v is EnrolAnswer {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return o.step === 'enrol_totp' && typeof o.enrolment_token === 'string' && typeof o.qr_svg === 'string'
}

/** POST /api/v1/auth/citizen/code */
export interface CodeAnswer {
  challenge_id: string
  expires_in: number
  resend_after: number
  sent_to: string
}

/** GET /api/v1/me */
export interface Me {
  id: string
  name: string
  id_number: string
  mobile: string
  gender?: string
  birth_date?: string
}

/** GET /api/v1/users items */
export interface StaffAccount {
  id: string
  username: string
  display_name: string
  grants: Grant[]
  totp_enrolled: boolean
  locked: boolean
  disabled: boolean
}

/** GET /api/v1/employers items */
export interface Employer {
  id: string
  credit_code: string
  name: string
  status: 'pending' | 'approved' | 'rejected' | string
  created_at: string | number
}

/** GET /api/v1/audit items */
export interface AuditRow {
  seq: number
  at: string | number
  actor_kind: string
  actor_id: string
  actor_name: string
  action: string
  subject_person_id: string | null
  target: string | null
  purpose: string | null
  channel: string | null
  address: string | null
  request_id: string | null
}

export interface AuditPage {
  items: AuditRow[]
  next_cursor: string | null
}

export interface AuditVerify {
  ok: boolean
  rows: number
  first_broken_seq?: number
  reason?: string
}
