// Shared harness of the browser tests: one chromium, named browser contexts (one per person
// logged in), a test() that fails on whatever a person would notice as broken, screenshots.
import { createRequire } from 'node:module'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')

export const BASE = (process.env.DANGAN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
// DANGAN_SCREENSHOTS moves them elsewhere (a second build directory's run).
export const SHOTS = process.env.DANGAN_SCREENSHOTS ?? join(fileURLToPath(new URL('../../', import.meta.url)), 'build', 'screenshots')
export const PLATFORM = '社会保险档案智慧服务平台'
export const TIMEOUT = 10_000
export const VIEWPORTS = {
  mobile: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
}

// Answers that are part of normal use, not faults: probing for a session while logged out, and
// the kiosk asking the ID-card reader bridge while no card lies on it.
const ALWAYS_ALLOWED = [{ method: 'GET', path: '/api/v1/session', status: 401 }, { method: 'GET', path: '/card', status: 404 }]

let browser
const contexts = new Map()
export const counts = { passed: 0, failed: 0 }

export async function launch() {
  await mkdir(SHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
}

export async function close() {
  await browser?.close()
}

/** A browser context of its own per name: its cookies are one person's session. */
export async function contextFor(name = 'anon') {
  if (!contexts.has(name)) {
    const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    ctx.setDefaultTimeout(TIMEOUT)
    contexts.set(name, ctx)
  }
  return contexts.get(name)
}

export function assert(cond, message) {
  if (!cond) throw new Error(message)
}

export async function visible(locator, what) {
  try {
    await locator.waitFor({ state: 'visible', timeout: TIMEOUT })
  } catch {
    throw new Error(`${what} not visible`)
  }
}

export async function hidden(locator, what) {
  assert((await locator.count()) === 0 || !(await locator.first().isVisible()), `${what} should not be shown`)
}

export async function shot(page, name, fullPage = false) {
  await page.evaluate(() => document.fonts.ready)
  await page.waitForTimeout(150) // let transitions (dialogs, menus) settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' })
}

/** Screenshots of the page as it is at 360 px and on a desktop, then back to `back`. */
export async function shotBoth(page, name, back = 'desktop', fullPage = true) {
  for (const vp of ['mobile', 'desktop']) {
    await page.setViewportSize(VIEWPORTS[vp])
    await shot(page, `${name}-${vp}`, fullPage)
    await expectNoHorizontalScroll(page)
  }
  await page.setViewportSize(VIEWPORTS[back])
}

function allowed(list, method, url, status) {
  const path = new URL(url).pathname
  return list.some((a) => a.method === method && a.path === path && (a.status === undefined || a.status === status))
}

// Records what a person would notice as broken: console errors (CSP violations included),
// uncaught exceptions, failed requests and HTTP errors — except the answers `allow` expects.
function watch(page, allow) {
  const list = [...ALWAYS_ALLOWED, ...allow]
  const okUrls = new Set()
  const problems = { all: [], pageErrors: [] }
  page.on('response', (r) => {
    if (r.status() < 400) return
    if (allowed(list, r.request().method(), r.url(), r.status())) okUrls.add(r.url())
    else problems.all.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`)
  })
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    if (m.text().startsWith('Failed to load resource') && okUrls.has(m.location()?.url)) return
    problems.all.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => {
    problems.all.push(`page error: ${e.message}`)
    problems.pageErrors.push(e.message)
  })
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? ''
    // Not the app's failures: requests the browser itself cancelled (a navigation or reload
    // aborts what is in flight) and those of chromium's own PDF viewer (the kiosk's print frame).
    if (why === 'net::ERR_ABORTED' || r.url().startsWith('chrome-extension://')) return
    problems.all.push(`request failed: ${r.url()} ${why}`)
  })
  return problems
}

/**
 * Runs one test on a fresh page of context `ctx`; with strict (the default) any recorded
 * problem fails it. `allow` lists expected error answers: [{method, path, status}].
 */
export async function test(name, viewport, fn, { strict = true, ctx = 'anon', allow = [] } = {}) {
  const context = await contextFor(ctx)
  const page = await context.newPage()
  await page.setViewportSize(VIEWPORTS[viewport])
  const problems = watch(page, allow)
  try {
    await fn(page)
    const list = strict ? problems.all : problems.pageErrors
    assert(list.length === 0, list.slice(0, 3).join(' | '))
    console.log(`ok - ${name}`)
    counts.passed++
  } catch (e) {
    console.log(`not ok - ${name}: ${String(e?.message ?? e).split('\n')[0]}`)
    counts.failed++
  } finally {
    await page.close()
  }
}

export async function open(page, path) {
  const res = await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle', timeout: TIMEOUT * 3 })
  assert(res && res.ok(), `GET ${path} answered ${res?.status()}`)
  assert((await page.getAttribute('html', 'lang')) === 'zh-CN', 'html lang is not zh-CN')
}

export async function expectStatus(page, expected) {
  const line = page.getByTestId('status-line').filter({ hasText: expected }).first()
  try {
    await line.waitFor({ state: 'visible', timeout: TIMEOUT })
  } catch {
    const seen = await page.getByTestId('status-line').first().textContent().catch(() => null)
    throw new Error(`status line shows "${seen?.trim()}", expected "${expected}"`)
  }
  assert((await line.textContent()).trim() === expected, `status line is not exactly "${expected}"`)
}

export async function expectNoHorizontalScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
  assert(scroll <= width, `page is ${scroll}px wide in a ${width}px viewport`)
}

export async function expectTouchTargets(page, locator, min = 64) {
  const boxes = await locator.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))
  assert(boxes.length > 0, 'no touch targets found')
  for (const box of boxes) {
    assert(box.width >= min && box.height >= min, `touch target ${box.width}x${box.height} is under ${min}px`)
  }
}

/** The session of the page's context as the API sees it: the user, or null. */
export async function sessionUser(page) {
  const res = await page.request.get(`${BASE}/api/v1/session`)
  return res.ok() ? (await res.json()).user : null
}

/** Types on the kiosk's on-screen keypad (the kiosk has no system keyboard). */
export async function typeOnKeypad(page, text) {
  for (const c of text.toUpperCase()) await page.getByTestId(`key-${c}`).click()
}

/** Screenshots of a kiosk screen in portrait, landscape and phone size, then back to `back`. */
export async function shotKiosk(page, name, back) {
  for (const vp of ['portrait', 'landscape', 'mobile']) {
    await page.setViewportSize(VIEWPORTS[vp])
    await expectNoHorizontalScroll(page)
    await shot(page, `${name}-${vp}`)
  }
  await page.setViewportSize(VIEWPORTS[back])
}
