// Portal: citizen log-in with an SMS code at 360 px, 我的, log-out; employer log-in,
// registration and approval by staff.
import { DEMO, maskId, maskMobile, newCreditCode, smsCodeAfter } from './demo.mjs'
import { assert, BASE, contextFor, expectNoHorizontalScroll, open, sessionUser, shot, shotBoth, test, visible } from './lib.mjs'
import { ensureStaff } from './staff.mjs'

/** Logs `person` in on the portal's 登录 page; returns on 我的. */
async function citizenLogin(page, person, shots) {
  await open(page, '/me')
  await visible(page.getByTestId('me-guest'), 'the logged-out 我的')
  await page.getByTestId('go-login').click()
  await page.waitForURL(/\/login\?redirect=/)
  await visible(page.getByTestId('login-help').getByText('12333').first(), 'help for people who changed their mobile')
  await visible(page.getByTestId('demo-notice'), 'demo notice about var/sms.log')
  if (shots) await shotBoth(page, 'portal-login', 'mobile')
  await page.getByTestId('id-number').locator('input').fill(person.id_number.toLowerCase())
  await page.getByTestId('mobile').locator('input').fill(person.mobile)
  const code = await smsCodeAfter(person.mobile, () => page.getByTestId('send-code').click())
  await visible(page.getByTestId('code-sent').getByText(maskMobile(person.mobile)), 'where the code went')
  await visible(page.getByTestId('send-code').getByText(/\d+ 秒后重新获取/), 'resend countdown')
  if (shots) await shotBoth(page, 'portal-login-sent', 'mobile')
  await page.getByTestId('code').locator('input').fill(code)
  await page.getByTestId('login-button').click()
  await page.waitForURL(`${BASE}/me`)
  await visible(page.getByTestId('me-profile'), '我的 after log-in')
}

export async function portalTests() {
  const [first, , third, fourth] = DEMO.persons
  await test('citizen logs in on the portal at 360x740 with the SMS code, sees 我的, logs out', 'mobile', async (page) => {
    await citizenLogin(page, first, true)
    await visible(page.getByTestId('me-id-number').getByText(maskId(first.id_number)), 'masked ID number')
    await visible(page.getByTestId('me-mobile').getByText(maskMobile(first.mobile)), 'masked mobile')
    await visible(page.getByTestId('me-name').getByText(first.name[0], { exact: false }), 'name')
    const body = await page.locator('body').textContent()
    assert(!body.includes(first.id_number) && !body.includes(first.mobile), 'the full ID number or mobile is shown')
    await expectNoHorizontalScroll(page)
    await shotBoth(page, 'portal-me', 'mobile')
    await page.getByTestId('logout').click()
    await visible(page.getByTestId('me-guest'), 'the logged-out 我的')
    await visible(page.getByTestId('me-notice').getByText('您已退出登录'), 'log-out notice')
    assert((await sessionUser(page)) === null, 'the session still answers after 退出登录')
    await shot(page, 'portal-me-guest-mobile', true)
  }, { ctx: 'citizen' })

  await test('asking for another code within a minute shows the wait counting down (429 retry_after)', 'mobile', async (page) => {
    await open(page, '/login')
    await page.getByTestId('id-number').locator('input').fill(first.id_number)
    await page.getByTestId('mobile').locator('input').fill(first.mobile)
    await page.getByTestId('send-code').click()
    const error = page.getByTestId('form-error')
    await visible(error.getByText(/\d+ 秒/), 'the wait in the message')
    const seconds = () => error.textContent().then((t) => Number(/(\d+) 秒/.exec(t)?.[1]))
    const before = await seconds()
    await page.waitForTimeout(2_100)
    assert((await seconds()) < before, 'the countdown does not count down')
    await visible(page.getByTestId('send-code').getByText(/\d+ 秒后重新获取/), 'the code button waiting too')
    await shot(page, 'portal-login-429-mobile')
  }, { allow: [{ method: 'POST', path: '/api/v1/auth/citizen/code', status: 429 }] })

  await test('citizen 在所有设备上退出 ends the session', 'desktop', async (page) => {
    await citizenLogin(page, third, false)
    assert((await sessionUser(page))?.kind === 'citizen', 'no citizen session after log-in')
    await page.getByTestId('logout-all').click()
    await visible(page.getByTestId('me-notice').getByText('所有设备'), 'log-out-everywhere notice')
    assert((await sessionUser(page)) === null, 'the session still answers after 在所有设备上退出')
  }, { ctx: 'citizen2' })

  await test('portal log-in names the wrong field: a bad ID number locally, a mobile not registered by the server', 'mobile', async (page) => {
    await open(page, '/login')
    await page.getByTestId('id-number').locator('input').fill('220102196501150013')
    await page.getByTestId('mobile').locator('input').fill(fourth.mobile)
    await page.getByTestId('send-code').click()
    await visible(page.getByTestId('id-number').getByText('身份证号码有误'), 'local check of the ID number')
    await page.getByTestId('id-number').locator('input').fill(fourth.id_number)
    await page.getByTestId('mobile').locator('input').fill('13800000000')
    await page.getByTestId('send-code').click()
    await visible(page.getByTestId('mobile').locator('.van-field__error-message'), "the server's message next to 手机号")
    await shot(page, 'portal-login-error-mobile', true)
  }, { allow: [{ method: 'POST', path: '/api/v1/auth/citizen/code', status: 422 }] })

  const hr = DEMO.employers[0]
  await test('employer "hr" logs in on /employer/login and sees the employer home', 'mobile', async (page) => {
    await open(page, '/employer/login')
    await shotBoth(page, 'portal-employer-login', 'mobile')
    await page.getByTestId('credit-code').locator('input').fill(hr.credit_code)
    await page.getByTestId('username').locator('input').fill(hr.username)
    await page.getByTestId('password').locator('input').fill(hr.password)
    await page.getByTestId('login-button').click()
    await page.waitForURL(`${BASE}/employer`)
    await visible(page.getByTestId('employer-name').getByText(hr.name), 'employer name')
    const user = await sessionUser(page)
    assert(user?.kind === 'employer' && user.employer.credit_code === hr.credit_code, 'GET /session does not name hr')
    await shotBoth(page, 'portal-employer-home', 'mobile')
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/employer\/login/)
    assert((await sessionUser(page)) === null, 'the session still answers after 退出登录')
  }, { ctx: 'employer' })

  await test('employer pages send a logged-out visitor to 单位登录', 'mobile', async (page) => {
    await open(page, '/employer')
    await page.waitForURL(/\/employer\/login\?redirect=(%2F|\/)employer$/)
    await visible(page.getByTestId('employer-login'), 'employer log-in form')
  })

  const applicant = { credit_code: newCreditCode(), name: `长春市测试商贸有限公司${Date.now() % 10000}`, display_name: '王经办',
    username: 'jingban', password: 'Apply#Test2026' }
  await test('a new employer applies (单位注册申请), staff approve it in 单位审核, then it logs in', 'mobile', async (page) => {
    await open(page, '/employer/apply')
    await shotBoth(page, 'portal-employer-apply', 'mobile')
    await page.getByTestId('apply-credit-code').locator('input').fill(applicant.credit_code)
    await page.getByTestId('apply-name').locator('input').fill(applicant.name)
    await page.getByTestId('apply-display-name').locator('input').fill(applicant.display_name)
    await page.getByTestId('apply-username').locator('input').fill(applicant.username)
    await page.getByTestId('apply-password').locator('input').fill(applicant.password)
    await page.getByTestId('apply-confirm').locator('input').fill(applicant.password)
    await page.getByTestId('apply-submit').click()
    await visible(page.getByTestId('apply-done'), 'application sent')
    await shot(page, 'portal-employer-apply-done-mobile', true)

    await ensureStaff('admin')
    await approve(await (await contextFor('admin')).newPage(), applicant.name)

    await page.getByTestId('apply-done').getByText('去单位登录').click()
    await page.getByTestId('credit-code').locator('input').fill(applicant.credit_code)
    await page.getByTestId('username').locator('input').fill(applicant.username)
    await page.getByTestId('password').locator('input').fill(applicant.password)
    await page.getByTestId('login-button').click()
    await visible(page.getByTestId('employer-name').getByText(applicant.name), 'the new employer home')
  }, { ctx: 'applicant' })
}

async function approve(page, name) {
  try {
    await page.setViewportSize({ width: 1280, height: 800 })
    await open(page, '/staff/employers')
    const row = page.getByTestId('employers-table').locator('tr', { hasText: name })
    await visible(row, 'the application in 单位审核')
    await shot(page, 'staff-employers-desktop', true)
    await page.setViewportSize({ width: 360, height: 740 })
    await shot(page, 'staff-employers-mobile', true)
    await page.setViewportSize({ width: 1280, height: 800 })
    await row.getByTestId('approve').click()
    await page.locator('.el-message-box').getByRole('button', { name: '批准' }).click()
    await page.getByTestId('employers-table').locator('tr', { hasText: name }).waitFor({ state: 'detached' })
  } finally {
    await page.close()
  }
}
