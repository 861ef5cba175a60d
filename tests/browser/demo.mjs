// The demo data (tests/fixtures/demo.json) and what the tests compute from it: TOTP codes,
// SMS codes from the server's log, credit codes for new employers.
import { createHmac } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'

// DANGAN_DEMO_JSON may name another file of the same shape (a server seeded differently).
const DEMO_FILE = process.env.DANGAN_DEMO_JSON ?? new URL('../fixtures/demo.json', import.meta.url)
export const DEMO = JSON.parse(await readFile(DEMO_FILE, 'utf8'))
export const SMS_LOG = process.env.DANGAN_NOTIFY_SMS_LOG ?? ''

export const staff = (username) => DEMO.staff.find((s) => s.username === username)
export const maskId = (v) => `${v.slice(0, 4)}${'*'.repeat(10)}${v.slice(14)}`
export const maskMobile = (v) => `${v.slice(0, 3)}****${v.slice(7)}`

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32 (no padding needed, spaces ignored). */
export function base32Decode(text) {
  let bits = 0
  let value = 0
  const out = []
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = BASE32.indexOf(c)
    if (i < 0) throw new Error(`not base32: ${c}`)
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) for time step `step`. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
  const offset = mac[mac.length - 1] & 0x0f
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

// A server refuses a code used twice: remember the last step used per secret.
const usedSteps = new Map()

/** A code for the current step, waiting for the next step when this one was used already. */
export async function freshTotp(secret) {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000)
    if (step > (usedSteps.get(secret) ?? -1)) {
      usedSteps.set(secret, step)
      return totp(secret, step)
    }
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 50))
  }
}

async function smsLogSize() {
  return stat(SMS_LOG).then((s) => s.size, () => 0)
}

/**
 * Runs `send` (which makes the server send an SMS code to `mobile`) and returns the 6-digit
 * code that then appears in the server's SMS log (lines: time, recipient, text).
 */
export async function smsCodeAfter(mobile, send) {
  if (!SMS_LOG) throw new Error('DANGAN_NOTIFY_SMS_LOG is not set')
  const from = await smsLogSize()
  await send()
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const text = (await readFile(SMS_LOG).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8')
    const lines = text.split('\n').filter((l) => l.includes(mobile) || l.includes(maskMobile(mobile)))
    const last = lines.at(-1)
    const message = last?.split('\t').at(-1) ?? last
    const code = message && /(?<!\d)\d{6}(?!\d)/.exec(message)?.[0]
    if (code) return code
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`no SMS code for ${maskMobile(mobile)} in ${SMS_LOG}`)
}

const CREDIT = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** A fresh valid unified social credit code (GB 32100-2015) for a test employer. */
export function newCreditCode() {
  let body = '91220101'
  for (let i = 0; i < 9; i++) body += CREDIT[Math.floor(Math.random() * CREDIT.length)]
  const sum = [...body].reduce((s, c, i) => s + CREDIT.indexOf(c) * CREDIT_WEIGHTS[i], 0)
  return body + CREDIT[(31 - (sum % 31)) % 31]
}
