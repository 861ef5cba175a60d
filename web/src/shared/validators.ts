/** Checks run before a form is sent, so that a typo is named at once (the server checks again). */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** Upper-case X, no spaces. */
export function normaliseIdNumber(v: string): string {
  return v.replace(/\s+/g, '').toUpperCase()
}

/** GB 11643-1999; null when valid, else a message for the person. */
export function idNumberProblem(raw: string): string | null {
  const v = normaliseIdNumber(raw)
  if (!v) return '请输入身份证号码'
  if (/^\d{15}$/.test(v)) return '不支持 15 位的旧身份证号码，请输入 18 位身份证号码'
  if (!/^\d{17}[\dX]$/.test(v)) return '身份证号码应为 18 位，最后一位可以是数字或字母 X'
  const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * Number(v[i]), 0)
  if (ID_CHECK[sum % 11] !== v[17]) return '身份证号码有误，请逐位核对'
  return null
}

export function mobileProblem(raw: string): string | null {
  const v = raw.replace(/\s+/g, '')
  if (!v) return '请输入手机号码'
  if (!/^1[3-9]\d{9}$/.test(v)) return '手机号码应为 11 位数字，以 1 开头'
  return null
}

export function smsCodeProblem(raw: string): string | null {
  if (!raw) return '请输入验证码'
  if (!/^\d{6}$/.test(raw)) return '验证码为 6 位数字'
  return null
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** GB 32100-2015 unified social credit code. */
export function creditCodeProblem(raw: string): string | null {
  const v = raw.replace(/\s+/g, '').toUpperCase()
  if (!v) return '请输入统一社会信用代码'
  if (v.length !== 18 || [...v].some((c) => !CREDIT_CHARS.includes(c))) {
    return '统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）'
  }
  const sum = CREDIT_WEIGHTS.reduce((s, w, i) => s + w * CREDIT_CHARS.indexOf(v[i] ?? '0'), 0)
  const check = (31 - (sum % 31)) % 31
  if (CREDIT_CHARS[check] !== v[17]) return '统一社会信用代码有误，请逐位核对'
  return null
}

/** At least 10 characters, three of four kinds, not containing the user name. */
export function passwordProblem(password: string, username: string): string | null {
  if (!password) return '请输入密码'
  if (password.length < 10) return '密码至少 10 位'
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length
  if (kinds < 3) return '密码须包含小写字母、大写字母、数字、符号中的至少三种'
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名'
  return null
}

export function usernameProblem(raw: string): string | null {
  if (!raw) return '请输入用户名'
  if (/\s/.test(raw)) return '用户名不能包含空格'
  if (raw.length > 64) return '用户名不能超过 64 个字符'
  return null
}

/** "220102199003080035" shown in groups of 6-8-4 for reading aloud: "220102 19900308 0035". */
export function groupIdNumber(v: string): string {
  return [v.slice(0, 6), v.slice(6, 14), v.slice(14)].filter(Boolean).join(' ')
}

/** "13912340001" as "139 1234 0001". */
export function groupMobile(v: string): string {
  return [v.slice(0, 3), v.slice(3, 7), v.slice(7)].filter(Boolean).join(' ')
}

/** "220102198503150015" → "2201**********0015", as the server masks ID numbers. */
export function maskIdNumber(v: string): string {
  return v.length <= 8 ? '*'.repeat(v.length) : `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}`
}
