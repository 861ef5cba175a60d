// Staff console: log-in with TOTP (and first-time enrolment), menus per role, 用户与权限,
// 单位审核 and 审计日志.
import { DEMO, freshTotp, staff } from './demo.mjs'
import { assert, contextFor, expectNoHorizontalScroll, hidden, open, sessionUser, shot, shotBoth, test, visible } from './lib.mjs'

// Step one answers 400 totp_required for an enrolled user: that is how the form learns to ask.
export const STAFF_LOGIN_ALLOW = [{ method: 'POST', path: '/api/v1/auth/staff/login', status: 400 }]
const loggedIn = new Set()

/** Logs `username` in through the log-in page (user name, password, then the TOTP code). */
export async function staffLogin(page, username, shots) {
  const who = staff(username)
  await open(page, '/staff/')
  await page.waitForURL(/\/staff\/login\?redirect=/)
  if (shots) await shotBoth(page, 'staff-login', 'desktop', false)
  await page.getByTestId('username').fill(who.username)
  await page.getByTestId('password').fill(who.password)
  await page.getByTestId('login-button').click()
  await visible(page.getByTestId('totp'), 'TOTP field')
  if (shots) await shotBoth(page, 'staff-login-totp', 'desktop', false)
  await page.getByTestId('totp').fill(await freshTotp(who.totp_secret))
  await page.getByTestId('login-button').click()
  await expectHeaderUser(page, who.display_name)
}

/** The header names the logged-in user (the name is in the DOM even where a phone hides it). */
async function expectHeaderUser(page, name) {
  await visible(page.getByTestId('current-user'), 'logged-in user in the header')
  const text = await page.getByTestId('current-user').textContent()
  assert(text.includes(name), `header shows "${text.trim()}", not ${name}`)
}

/** Makes sure context `username` holds a staff session of that user (logs in once). */
export async function ensureStaff(username) {
  if (loggedIn.has(username)) return
  const page = await (await contextFor(username)).newPage()
  try {
    await staffLogin(page, username, false)
    loggedIn.add(username)
  } finally {
    await page.close()
  }
}

async function menu(page) {
  const toggle = page.getByTestId('menu-toggle')
  if (await toggle.isVisible()) await toggle.click()
  return page.getByTestId('side-menu')
}

export async function staffTests() {
  await test('staff admin logs in with password and TOTP; menu follows the role', 'desktop', async (page) => {
    await staffLogin(page, 'admin', true)
    loggedIn.add('admin')
    const side = await menu(page)
    await visible(side.getByText('用户与权限', { exact: true }), 'menu item 用户与权限')
    await visible(side.getByText('单位审核', { exact: true }), 'menu item 单位审核')
    await hidden(side.getByText('审计日志', { exact: true }), 'menu item 审计日志 for system_admin')
    const user = await sessionUser(page)
    assert(user?.kind === 'staff' && user.username === 'admin', 'GET /session does not name admin')
    await shotBoth(page, 'staff-home', 'desktop', false)
  }, { ctx: 'admin', allow: STAFF_LOGIN_ALLOW })

  await test('staff log-in refuses a wrong password next to the form', 'mobile', async (page) => {
    await open(page, '/staff/login')
    await page.getByTestId('username').fill('admin')
    await page.getByTestId('password').fill('not-the-password')
    await page.getByTestId('login-button').click()
    await visible(page.getByTestId('form-error'), 'error message')
    await shot(page, 'staff-login-error-mobile')
  }, { ctx: 'stranger', allow: [{ method: 'POST', path: '/api/v1/auth/staff/login', status: 401 }] })

  const newUser = { username: `clerk${Date.now() % 100000}`, display_name: '测试受理员', password: 'Window#Clerk2026' }
  await test('admin creates a user in 用户与权限', 'desktop', async (page) => {
    await open(page, '/staff/users')
    const table = page.getByTestId('users-table')
    for (const s of DEMO.staff) await visible(table.getByText(s.username, { exact: true }), `user ${s.username}`)
    await shotBoth(page, 'staff-users')
    await page.getByTestId('create-user').click()
    const dialog = page.getByTestId('user-dialog')
    await visible(dialog, 'create-user dialog')
    await dialog.getByTestId('new-username').fill(newUser.username)
    await dialog.getByTestId('new-display-name').fill(newUser.display_name)
    await dialog.getByTestId('new-password').fill(newUser.password)
    await dialog.getByTestId('grant-role-0').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: '窗口受理员' }).first().click()
    await dialog.getByTestId('grant-scope-0').fill('220102')
    await shotBoth(page, 'staff-users-create', 'desktop', false)
    await dialog.getByTestId('save-user').click()
    await visible(table.getByText(newUser.username, { exact: true }), 'the new user in the table')
    await visible(table.locator('tr', { hasText: newUser.username }).getByText('窗口受理员（区县级 220102）'), 'the new grant')
  }, { ctx: 'admin' })

  await test('a new staff user binds TOTP with the QR code shown once, then logs in', 'mobile', async (page) => {
    await open(page, '/staff/login')
    await page.getByTestId('username').fill(newUser.username)
    await page.getByTestId('password').fill(newUser.password)
    await page.getByTestId('login-button').click()
    await visible(page.getByTestId('totp-enrol'), 'TOTP enrolment step')
    const qr = page.getByTestId('totp-qr')
    assert(/^data:image\/svg\+xml/.test(await qr.getAttribute('src')), 'QR code is not a data: image')
    assert(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'QR code image did not load')
    const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '')
    assert(/^[A-Z2-7]{16,}$/.test(secret), `secret text "${secret}" is not base32`)
    await shotBoth(page, 'staff-login-enrol', 'mobile')
    await page.getByTestId('totp').fill(await freshTotp(secret))
    await page.getByTestId('login-button').click()
    await expectHeaderUser(page, newUser.display_name)
    await hidden((await menu(page)).getByText('用户与权限', { exact: true }), 'menu item 用户与权限 for a clerk')
    await expectNoHorizontalScroll(page)
  }, { ctx: 'newuser' })

  await test('admin edits the grants of, disables and re-enables the new user', 'desktop', async (page) => {
    await open(page, '/staff/users')
    const row = page.getByTestId('users-table').locator('tr', { hasText: newUser.username })
    await row.getByRole('button', { name: '编辑授权' }).click()
    const dialog = page.getByTestId('user-dialog')
    await dialog.getByTestId('grant-scope-0').fill('2201')
    await dialog.getByTestId('save-user').click()
    await visible(row.getByText('窗口受理员（市级 2201）'), 'the changed grant')
    await row.getByRole('button', { name: '停用' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await visible(row.getByText('已停用'), 'tag 已停用')
    await row.getByRole('button', { name: '启用' }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    await visible(row.getByText('正常'), 'tag 正常')
  }, { ctx: 'admin' })

  await test('auditor sees 审计日志 with the log-in rows and verifies the chain', 'desktop', async (page) => {
    await staffLogin(page, 'auditor', false)
    loggedIn.add('auditor')
    const side = await menu(page)
    await hidden(side.getByText('用户与权限', { exact: true }), 'menu item 用户与权限 for an auditor')
    await side.getByText('审计日志', { exact: true }).click()
    await page.waitForURL(/\/staff\/audit$/)
    const table = page.getByTestId('audit-table')
    await visible(table.getByText('login', { exact: true }).first(), 'a login row')
    await visible(table.getByText('系统管理员').first(), 'admin in the log')
    await page.getByTestId('filter-action').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: '（login）' }).first().click()
    await page.getByTestId('audit-search').click()
    await page.waitForLoadState('networkidle')
    const actions = await table.locator('tbody tr td:nth-child(4) .audit__muted').allTextContents()
    assert(actions.length > 0 && actions.every((a) => a === 'login'), `filter by action shows ${[...new Set(actions)]}`)
    await page.getByTestId('audit-verify').click()
    await visible(page.getByTestId('verify-result').getByText('日志完整'), 'verification result')
    await shotBoth(page, 'staff-audit')
  }, { ctx: 'auditor', allow: STAFF_LOGIN_ALLOW })

  await test('auditor opening 用户与权限 is told it is not allowed', 'mobile', async (page) => {
    await open(page, '/staff/users')
    await visible(page.getByTestId('forbidden'), 'forbidden notice')
    await shot(page, 'staff-forbidden-mobile')
  }, { ctx: 'auditor' })
}
