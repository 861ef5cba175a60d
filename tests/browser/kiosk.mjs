// Kiosk: citizen log-in on the on-screen keypad (no system keyboard), the logged-in home,
// 退出登录, and the automatic log-out after two idle minutes.
import { DEMO, maskId, maskMobile, smsCodeAfter } from './demo.mjs'
import {
  assert, expectNoHorizontalScroll, expectTouchTargets, open, sessionUser, shot, shotKiosk, test, typeOnKeypad, VIEWPORTS,
  visible,
} from './lib.mjs'

/** From the attract screen to the logged-in home, typing everything on the keypad. */
async function kioskLogin(page, person, shots) {
  await page.getByTestId('attract').click()
  await page.getByTestId('kiosk-login-button').click()
  await page.waitForURL(/\/kiosk\/login$/)
  await expectTouchTargets(page, page.getByTestId('keypad').locator('button'))
  assert((await page.locator('input, textarea').count()) === 0, 'the log-in uses a text field (system keyboard)')
  if (shots) await shotKiosk(page, 'kiosk-login-id', 'portrait')
  await typeOnKeypad(page, person.id_number)
  await page.getByTestId('next-button').click()
  await visible(page.getByTestId('step-title').getByText('手机号码'), 'the mobile step')
  await typeOnKeypad(page, person.mobile)
  if (shots) await shotKiosk(page, 'kiosk-login-mobile', 'portrait')
  const code = await smsCodeAfter(person.mobile, () => page.getByTestId('next-button').click())
  await visible(page.getByTestId('code-sent').getByText(maskMobile(person.mobile)), 'where the code went')
  const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/me'))
  if (shots) {
    await typeOnKeypad(page, code.slice(0, 2))
    await shotKiosk(page, 'kiosk-login-code', 'portrait')
    await typeOnKeypad(page, code.slice(2))
  } else {
    await typeOnKeypad(page, code)
  }
  await page.waitForURL(/\/kiosk\/me$/)
  assert((await me).ok(), 'GET /api/v1/me failed on the kiosk home')
  await visible(page.getByTestId('kiosk-id-number').getByText(maskId(person.id_number)), 'masked ID number on the kiosk home')
}

export async function kioskTests() {
  const [, second, , , fifth, sixth] = DEMO.persons
  await test('citizen logs in on the kiosk with the on-screen keypad and logs out', 'portrait', async (page) => {
    await open(page, '/kiosk/')
    await kioskLogin(page, second, true)
    assert((await sessionUser(page))?.kind === 'citizen', 'no citizen session after the kiosk log-in')
    await expectTouchTargets(page, page.getByTestId('kiosk-logout'))
    await shotKiosk(page, 'kiosk-home-citizen', 'portrait')
    await page.getByTestId('kiosk-logout').click()
    await page.waitForURL(/\/kiosk\/?$/)
    await visible(page.getByTestId('kiosk-login-button').getByText('登录办理个人业务'), 'the logged-out home')
    assert((await sessionUser(page)) === null, 'the session still answers after 退出登录')
  }, { ctx: 'kiosk' })

  await test('kiosk logs out by itself after two idle minutes', 'landscape', async (page) => {
    await page.clock.install()
    await open(page, '/kiosk/')
    await kioskLogin(page, fifth, false)
    const logout = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/auth/logout'))
    await page.clock.runFor(119_000)
    assert(new URL(page.url()).pathname === '/kiosk/me', 'logged out before two minutes')
    await page.clock.runFor(2_000)
    await logout
    await visible(page.getByText('请触摸屏幕开始'), 'attract screen after the idle time')
    await page.waitForLoadState('networkidle')
    assert((await sessionUser(page)) === null, 'the session still answers after the idle log-out')
  }, { ctx: 'kiosk' })

  await test('kiosk keypad refuses a wrong ID number before sending anything', 'portrait', async (page) => {
    await open(page, '/kiosk/login')
    await page.getByTestId('attract').click()
    await typeOnKeypad(page, `${sixth.id_number.slice(0, 17)}${sixth.id_number[17] === '1' ? '2' : '1'}`)
    await page.getByTestId('next-button').click()
    await visible(page.getByTestId('kiosk-error').getByText('身份证号码有误'), 'the ID-number error')
    await page.getByTestId('key-clear').click()
    assert((await page.getByTestId('display').getAttribute('aria-valuetext')) === '', '清空 did not clear')
  }, { ctx: 'kiosk' })
}
