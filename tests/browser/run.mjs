// Browser tests for the four web apps (portal, kiosk, staff, verify) against a running server.
//
//   DANGAN_URL=http://127.0.0.1:8080 node tests/browser/run.mjs
//
// Uses playwright-core from web/node_modules and Debian's /usr/bin/chromium. Screenshots go to
// build/screenshots/<app>-<viewport>.png. Prints "ok - name" / "not ok - name: reason" per test
// and "N passed, N failed" last; exits 1 if any test failed.
import { createRequire } from 'node:module'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')

const BASE = (process.env.DANGAN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')
const SHOTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'build', 'screenshots')
const PLATFORM = '社会保险档案智慧服务平台'
const TIMEOUT = 10_000
const VIEWPORTS = {
  mobile: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
}

const PORTAL_NAV = ['档案存放地查询', '查档登记', '预约到访', '查档证明', '政策法规与查档指南', '智能咨询', '留言互动', '我的']
const STAFF_NAV = ['人员360°视图', '预约与队列', '查档证明', '移交审核', '知识库', '政策发布', '留言回复', '回访', '统计', '用户与权限', '审计日志']
const KIOSK_NAV = ['档案查询', '预约/取号', '打印查档证明', '咨询机器人']

// One entry per app: where it lives, how to reach its navigation, and one navigation to try.
const APPS = [
  {
    app: 'portal', path: '/', viewports: ['mobile', 'desktop'], fullPage: false,
    nav: (page) => [...PORTAL_NAV.map((t) => page.getByTestId('nav-grid').getByText(t, { exact: true })),
      page.getByTestId('tabbar').getByText('首页', { exact: true })],
    go: async (page) => page.getByTestId('nav-grid').getByText('档案存放地查询', { exact: true }).click(),
    url: /\/lookup$/, expect: ['“档案存放地查询”服务正在建设中', '12333'],
  },
  {
    app: 'kiosk', path: '/kiosk/', viewports: ['portrait', 'landscape'], fullPage: false,
    before: async (page, vp) => {
      await visible(page.getByText('请触摸屏幕开始'), 'attract screen')
      await shot(page, `kiosk-attract-${vp}`, false)
      await page.getByTestId('attract').click()
    },
    nav: (page) => KIOSK_NAV.map((t) => page.getByTestId('tiles').getByText(t, { exact: true })),
    go: async (page) => page.getByTestId('tiles').getByText('打印查档证明', { exact: true }).click(),
    url: /\/kiosk\/certificate$/, expect: ['“打印查档证明”服务正在建设中', '12333'],
  },
  {
    app: 'staff', path: '/staff/', viewports: ['mobile', 'desktop'], fullPage: false,
    before: async (page, vp) => {
      if (vp !== 'mobile') return
      await shot(page, 'staff-mobile', false)
      await page.getByTestId('menu-toggle').click()
    },
    nav: (page) => STAFF_NAV.map((t) => page.getByTestId('side-menu').getByText(t, { exact: true })),
    go: async (page) => page.getByTestId('side-menu').getByText('移交审核', { exact: true }).click(),
    url: /\/staff\/transfers$/, expect: ['该功能正在建设中'],
  },
  {
    app: 'verify', path: '/v/', viewports: ['mobile', 'desktop'], fullPage: true,
    nav: (page) => [page.getByText('查档证明核验').first(), page.getByTestId('code-input').locator('input'),
      page.getByTestId('verify-button'), page.getByTestId('portal-link')],
    go: async (page) => {
      await page.getByTestId('code-input').locator('input').fill('TEST-2025-0001')
      await page.getByTestId('verify-button').click()
    },
    url: /\/v\/TEST-2025-0001$/, expect: ['核验服务暂未开放', 'TEST-2025-0001'],
  },
]

let passed = 0
let failed = 0
let context

function assert(cond, message) {
  if (!cond) throw new Error(message)
}

async function visible(locator, what) {
  try {
    await locator.waitFor({ state: 'visible', timeout: TIMEOUT })
  } catch {
    throw new Error(`${what} not visible`)
  }
}

async function shot(page, name, fullPage) {
  await page.evaluate(() => document.fonts.ready)
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' })
}

// Records what a person would notice as broken: console errors (CSP violations included),
// uncaught exceptions, failed requests and HTTP errors.
function watch(page) {
  const problems = { all: [], pageErrors: [] }
  page.on('console', (m) => m.type() === 'error' && problems.all.push(`console: ${m.text()}`))
  page.on('pageerror', (e) => {
    problems.all.push(`page error: ${e.message}`)
    problems.pageErrors.push(e.message)
  })
  page.on('requestfailed', (r) => problems.all.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`))
  page.on('response', (r) => r.status() >= 400 && problems.all.push(`HTTP ${r.status()}: ${r.url()}`))
  return problems
}

// Runs one test on a fresh page; with strict (the default) any recorded problem fails it.
async function test(name, viewport, fn, { strict = true } = {}) {
  const page = await context.newPage()
  await page.setViewportSize(VIEWPORTS[viewport])
  const problems = watch(page)
  try {
    await fn(page)
    const list = strict ? problems.all : problems.pageErrors
    assert(list.length === 0, list.slice(0, 3).join(' | '))
    console.log(`ok - ${name}`)
    passed++
  } catch (e) {
    console.log(`not ok - ${name}: ${String(e?.message ?? e).split('\n')[0]}`)
    failed++
  } finally {
    await page.close()
  }
}

async function open(page, path) {
  const res = await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle', timeout: TIMEOUT * 3 })
  assert(res && res.ok(), `GET ${path} answered ${res?.status()}`)
  assert((await page.getAttribute('html', 'lang')) === 'zh-CN', 'html lang is not zh-CN')
}

async function expectStatus(page, expected) {
  const line = page.getByTestId('status-line').filter({ hasText: expected }).first()
  try {
    await line.waitFor({ state: 'visible', timeout: TIMEOUT })
  } catch {
    const seen = await page.getByTestId('status-line').first().textContent().catch(() => null)
    throw new Error(`status line shows "${seen?.trim()}", expected "${expected}"`)
  }
  assert((await line.textContent()).trim() === expected, `status line is not exactly "${expected}"`)
}

async function expectNoHorizontalScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
  assert(scroll <= width, `page is ${scroll}px wide in a ${width}px viewport`)
}

async function appTest(spec, vp, statusText) {
  await test(`${spec.app} at ${vp} (${VIEWPORTS[vp].width}x${VIEWPORTS[vp].height})`, vp, async (page) => {
    await open(page, spec.path)
    if (spec.before) await spec.before(page, vp)
    await visible(page.getByText(PLATFORM).first(), 'platform name')
    await expectStatus(page, statusText)
    for (const item of spec.nav(page)) await visible(item, `navigation item "${item}"`)
    await expectNoHorizontalScroll(page)
    if (spec.app === 'kiosk') await expectTouchTargets(page, page.getByTestId('tiles').locator('a'))
    if (spec.app === 'portal' && vp === 'desktop') await expectCentredColumn(page)
    await shot(page, spec.app === 'staff' && vp === 'mobile' ? 'staff-mobile-menu' : `${spec.app}-${vp}`, spec.fullPage)
    await spec.go(page)
    await page.waitForURL(spec.url, { timeout: TIMEOUT })
    for (const text of spec.expect) await visible(page.getByText(text).first(), `"${text}" after navigation`)
    await expectNoHorizontalScroll(page)
    await shot(page, `${spec.app}-${vp}-view`, spec.fullPage)
    if (spec.app === 'kiosk') await expectTouchTargets(page, page.getByTestId('home-button'))
  })
}

async function expectTouchTargets(page, locator) {
  for (const box of await locator.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    assert(box.width >= 64 && box.height >= 64, `touch target ${box.width}x${box.height} is under 64px`)
  }
}

async function expectCentredColumn(page) {
  const box = await page.locator('main').first().boundingBox()
  const width = VIEWPORTS.desktop.width
  assert(box && box.width < width, 'portal column is not narrower than the window on desktop')
  assert(Math.abs(box.x - (width - box.x - box.width)) <= 2, 'portal column is not centred')
}

async function extraTests(statusText) {
  await test('staff deep link /staff/some/deep/path loads the staff app', 'desktop', async (page) => {
    await open(page, '/staff/some/deep/path')
    await visible(page.getByText(PLATFORM).first(), 'platform name')
    await visible(page.getByTestId('side-menu').getByText('审计日志', { exact: true }), 'staff menu')
    await visible(page.getByTestId('not-found'), 'not-found notice')
    await expectStatus(page, statusText)
  })
  await test('portal deep link /guides opens its placeholder', 'mobile', async (page) => {
    await open(page, '/guides')
    await visible(page.getByText('“政策法规与查档指南”服务正在建设中'), 'placeholder')
    await page.getByTestId('tabbar').getByText('首页', { exact: true }).click()
    await page.waitForURL(`${BASE}/`, { timeout: TIMEOUT })
    await visible(page.getByTestId('nav-grid'), 'home grid after tabbar click')
  })
  await test('kiosk deep link /kiosk/robot and back home', 'portrait', async (page) => {
    await open(page, '/kiosk/robot')
    await page.getByTestId('attract').click()
    await visible(page.getByText('“咨询机器人”服务正在建设中'), 'placeholder')
    await page.getByTestId('home-button').click()
    await page.waitForURL(/\/kiosk\/?$/, { timeout: TIMEOUT })
    await visible(page.getByTestId('tiles'), 'tiles after home button')
  })
  await test('verify deep link /v/<code> says verification is not yet available', 'mobile', async (page) => {
    await open(page, '/v/QR-CODE-42')
    await visible(page.getByText('核验服务暂未开放'), 'not-yet-available notice')
    await visible(page.getByTestId('result-code').getByText('QR-CODE-42'), 'certificate code')
  })
  await test('verify rejects a malformed code without navigating', 'mobile', async (page) => {
    await open(page, '/v/')
    await page.getByTestId('code-input').locator('input').fill('含有空格 的编号')
    await page.getByTestId('verify-button').click()
    await visible(page.getByText('证明编号应为 4 至 64 位字母、数字或短横线'), 'validation message')
    assert(new URL(page.url()).pathname === '/v/', `navigated to ${page.url()}`)
  })
  for (const [app, path] of [['portal', '/'], ['staff', '/staff/']]) {
    await test(`${app} shows 服务暂不可用 when /api/v1/info fails`, 'mobile', async (page) => {
      await page.route('**/api/v1/info', (route) => route.fulfill({ status: 503, body: 'unavailable' }))
      await open(page, path)
      await expectStatus(page, '服务暂不可用')
      await visible(page.getByText(PLATFORM).first(), 'platform name')
    }, { strict: false })
  }
}

async function main() {
  let info
  try {
    const res = await fetch(`${BASE}/api/v1/info`)
    info = await res.json()
    assert(res.ok && typeof info.version === 'string', `HTTP ${res.status}`)
    console.log(`ok - GET /api/v1/info answers (${info.version} ${info.revision} ${info.database})`)
    passed++
  } catch (e) {
    console.log(`not ok - GET /api/v1/info at ${BASE}: ${e.message}`)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
  const statusText = `v${info.version} · ${info.revision} · ${info.database}`

  await mkdir(SHOTS, { recursive: true })
  const profile = await mkdtemp(join(tmpdir(), 'dangan-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
  context.setDefaultTimeout(TIMEOUT)
  try {
    for (const spec of APPS) for (const vp of spec.viewports) await appTest(spec, vp, statusText)
    await extraTests(statusText)
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed > 0 ? 1 : 0)
}

await main()
