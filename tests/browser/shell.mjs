// The four apps' shells: names, status line, navigation, deep links, no horizontal scroll.
import { BASE, expectNoHorizontalScroll, expectStatus, expectTouchTargets, open, PLATFORM, shot, test, TIMEOUT, VIEWPORTS, visible, assert } from './lib.mjs'
import { ensureStaff } from './staff.mjs'

const PORTAL_NAV = ['档案存放地查询', '查档登记', '预约到访', '查档证明', '政策法规与查档指南', '智能咨询', '留言互动', '我的']
// What a system administrator's menu holds (审计日志 is the auditor's; 人员档案（360°） the
// window clerks', archivists', reviewers' and branch administrators'; 预约管理 and 查档证明 the
// window clerks' and branch administrators').
const STAFF_NAV = ['预约设置', '移交审核', '知识库', '政策发布', '留言回复', '回访', '统计', '单位审核', '用户与权限']
const KIOSK_NAV = ['档案查询', '预约/签到', '打印查档证明', '咨询机器人']

// One entry per app: where it lives, how to reach its navigation, and one navigation to try.
const APPS = [
  {
    app: 'portal', path: '/', viewports: ['mobile', 'desktop'], fullPage: false,
    nav: (page) => [...PORTAL_NAV.map((t) => page.getByTestId('nav-grid').getByText(t, { exact: true })),
      page.getByTestId('tabbar').getByText('首页', { exact: true })],
    go: async (page) => page.getByTestId('nav-grid').getByText('智能咨询', { exact: true }).click(),
    url: /\/chat$/, expect: ['智能客服', '转人工'],
  },
  {
    app: 'kiosk', path: '/kiosk/', viewports: ['portrait', 'landscape'], fullPage: false,
    before: async (page, vp) => {
      await visible(page.getByText('请触摸屏幕开始'), 'attract screen')
      await shot(page, `kiosk-attract-${vp}`, false)
      await page.getByTestId('attract').click()
    },
    nav: (page) => KIOSK_NAV.map((t) => page.getByTestId('tiles').getByText(t, { exact: true })),
    go: async (page) => page.getByTestId('tiles').getByText('咨询机器人', { exact: true }).click(),
    url: /\/kiosk\/robot$/, expect: ['咨询机器人', '没带身份证可以办理吗？'],
  },
  {
    app: 'staff', path: '/staff/', viewports: ['mobile', 'desktop'], fullPage: false, ctx: 'admin',
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
    // A well-formed number (ISO 7064 check character) of a year before any was issued.
    go: async (page) => {
      await page.getByTestId('code-input').locator('input').fill('1999 2201 0200 0001 4')
      await page.getByTestId('verify-button').click()
    },
    url: /\/v\/19992201020000014$/, expect: ['查无此证明', '1999 2201 0200 0001 4'],
  },
]

async function expectCentredColumn(page) {
  const box = await page.locator('main').first().boundingBox()
  const width = VIEWPORTS.desktop.width
  assert(box && box.width < width, 'portal column is not narrower than the window on desktop')
  assert(Math.abs(box.x - (width - box.x - box.width)) <= 2, 'portal column is not centred')
}

async function appTest(spec, vp, statusText) {
  await test(`${spec.app} at ${vp} (${VIEWPORTS[vp].width}x${VIEWPORTS[vp].height})`, vp, async (page) => {
    if (spec.ctx) await ensureStaff(spec.ctx)
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
  }, { ctx: spec.ctx ?? 'anon' })
}

async function extraTests(statusText) {
  await test('staff deep link /staff/some/deep/path loads the staff app', 'desktop', async (page) => {
    await ensureStaff('admin')
    await open(page, '/staff/some/deep/path')
    await visible(page.getByText(PLATFORM).first(), 'platform name')
    await visible(page.getByTestId('side-menu').getByText('用户与权限', { exact: true }), 'staff menu')
    await visible(page.getByTestId('not-found'), 'not-found notice')
    await expectStatus(page, statusText)
  }, { ctx: 'admin' })
  await test('staff pages send a logged-out visitor to the log-in page', 'desktop', async (page) => {
    await open(page, '/staff/audit')
    await page.waitForURL(/\/staff\/login\?redirect=(%2F|\/)audit$/)
    await visible(page.getByTestId('staff-login'), 'log-in form')
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
    await visible(page.getByTestId('kiosk-robot').getByText('咨询机器人', { exact: true }), 'the robot page')
    await page.getByTestId('home-button').click()
    await page.waitForURL(/\/kiosk\/?$/, { timeout: TIMEOUT })
    await visible(page.getByTestId('tiles'), 'tiles after home button')
  })
  await test('verify deep link /v/<code> that is no certificate code says 无效', 'mobile', async (page) => {
    await open(page, '/v/QR-CODE-42')
    await visible(page.getByTestId('verdict-title').getByText('无效', { exact: true }), 'the 无效 verdict')
  }, { allow: [{ method: 'POST', path: '/api/v1/certificates/verify', status: 400 }] })
  await test('verify rejects a malformed number without navigating', 'mobile', async (page) => {
    await open(page, '/v/')
    await page.getByTestId('code-input').locator('input').fill('含有空格 的编号')
    await page.getByTestId('verify-button').click()
    await visible(page.getByText('证明编号为 17 位'), 'validation message')
    assert(new URL(page.url()).pathname === '/v/', `navigated to ${page.url()}`)
  })
  for (const [app, path] of [['portal', '/'], ['staff', '/staff/']]) {
    await test(`${app} shows 服务暂不可用 when /api/v1/info fails`, 'mobile', async (page) => {
      await page.route('**/api/v1/info', (route) => route.fulfill({ status: 503, body: 'unavailable' }))
      await open(page, path)
      await expectStatus(page, '服务暂不可用')
      await visible(page.getByText(PLATFORM).first(), 'platform name')
    }, { strict: false, ctx: 'info-down' })
  }
}

export async function shellTests(statusText) {
  for (const spec of APPS) for (const vp of spec.viewports) await appTest(spec, vp, statusText)
  await extraTests(statusText)
}
