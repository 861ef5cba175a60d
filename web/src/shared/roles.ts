import type { Grant, User } from './types'

/** The staff roles of DESIGN.md §3 with the names people see. */
export const STAFF_ROLES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'window_clerk', label: '窗口受理员' },
  { value: 'archivist', label: '档案管理员' },
  { value: 'reviewer', label: '移交审核员' },
  { value: 'kb_editor', label: '知识库编辑' },
  { value: 'content_editor', label: '内容编辑' },
  { value: 'content_approver', label: '内容审核人' },
  { value: 'callback_agent', label: '回访专员' },
  { value: 'branch_admin', label: '网点管理员' },
  { value: 'system_admin', label: '系统管理员' },
  { value: 'auditor', label: '审计员' },
]

const OTHER_ROLES: Record<string, string> = { citizen: '群众', employer_user: '单位经办人' }

export function roleLabel(role: string): string {
  return STAFF_ROLES.find((r) => r.value === role)?.label ?? OTHER_ROLES[role] ?? role
}

/** "2201" 市级, "220102" 区县级, "220102-001" 网点级. */
export function scopeLevel(scope: string): string {
  if (/^\d{4}$/.test(scope)) return '市级'
  if (/^\d{6}$/.test(scope)) return '区县级'
  if (/^\d{6}-\d{1,6}$/.test(scope)) return '网点级'
  return '范围'
}

export function isValidScope(scope: string): boolean {
  return /^\d{4}(\d{2}(-\d{1,6})?)?$/.test(scope)
}

export function grantLabel(g: Grant): string {
  return `${roleLabel(g.role)}（${scopeLevel(g.scope)} ${g.scope}）`
}

/** True when the user is staff and holds one of `roles` (any roles when the list is empty). */
export function hasAnyRole(user: User | null | undefined, roles: readonly string[] | undefined): boolean {
  if (!user || user.kind !== 'staff') return false
  if (!roles || roles.length === 0) return true
  return user.grants.some((g) => roles.includes(g.role))
}
