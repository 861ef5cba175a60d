// Appointments (issue 5): a citizen books a visit and a 查档登记 on the portal at 360 px, sees them
// in 我的预约 and cancels one; a window clerk books for a citizen at the window, serves the queue
// (check-in, 开始备档 → 材料已备好 → 已领取); the kiosk books a visit and checks in by booking code
// and by ID card; then three no-shows in a month bar a citizen on the portal, the kiosk and the
// window, and a branch administrator's void lifts the bar; the branch administrator's 预约设置.
//
// Runs LAST: it moves the server's clock (PUT /api/v1/testing/clock, which needs
// DANGAN_TESTING_CLOCK_CONTROL=true) forward to a working day and later to its afternoon, and
// runs the no-show sweep (POST /api/v1/testing/sweep). Sessions idle out on the server's clock
// and staff TOTP codes are checked against it, so every log-in here uses codes for that clock.
import { readFile } from 'node:fs/promises'
import { placeCard, removeCard } from './cardreader.mjs'
import { DEMO, SMS_LOG, maskMobile, smsCodeAfter, staff, totp } from './demo.mjs'
import {
  assert, BASE, contextFor, expectNoHorizontalScroll, expectTouchTargets, open, shot, shotBoth, shotKiosk, test, typeOnKeypad,
  VIEWPORTS, visible,
} from './lib.mjs'
import { STAFF_LOGIN_ALLOW } from './staff.mjs'

const BRANCH = '220102-001'
const person = (id) => DEMO.persons.find((p) => p.id_number === id)
const ZHANG = person('220102198503150015') // portal: a visit, a second visit cancelled, a 查档登记
const WANG = person('220104199007220026') // booked at the window by the clerk, checked in there
const LI = person('220105196501200138') // books on the kiosk, checks in with the ID card
const LIU = person('220106197208080246') // three no-shows: barred, then one voided

// ---- the server's clock ---------------------------------------------------------------------

let clockOffset = 0 // server clock minus this machine's, after the last move
const serverNow = () => Date.now() + clockOffset

async function api(method, path, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = res.status === 204 ? null : await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`)
  return json
}

/** Moves the server's clock to `iso` (Asia/Shanghai wall time with +08:00). */
async function setClock(iso) {
  const answer = await api('PUT', '/testing/clock', { now: iso })
  clockOffset = Date.parse(answer.now) - Date.now()
}

const sweep = () => api('POST', '/testing/sweep', {})
const at = (date, time) => `${date}T${time}:00+08:00`

/** Working days of the branch from the server's today, from the public calendar. */
async function openDays(service = 'visit', from) {
  const q = new URLSearchParams({ service, days: '31', ...(from ? { from } : {}) })
  const cal = await api('GET', `/branches/${BRANCH}/calendar?${q}`)
  return cal.days.filter((d) => d.open && d.slots.length > 0).map((d) => d.date)
}

// ---- people logging in ----------------------------------------------------------------------

const usedSteps = new Map()

/** A TOTP code for the server's clock, never the same step twice for one secret. */
async function serverTotp(secret) {
  for (;;) {
    const step = Math.floor(serverNow() / 30_000)
    if (step > (usedSteps.get(secret) ?? -1)) {
      usedSteps.set(secret, step)
      return totp(secret, step)
    }
    await new Promise((r) => setTimeout(r, 30_000 - (serverNow() % 30_000) + 50))
  }
}

/** Logs a staff user in through the console's log-in page with a code for the server's clock. */
async function staffLogin(page, who) {
  await open(page, '/staff/login')
  await page.getByTestId('username').fill(who.username)
  await page.getByTestId('password').fill(who.password)
  await page.getByTestId('login-button').click()
  await visible(page.getByTestId('totp'), 'TOTP field')
  if (await page.getByTestId('totp-enrol').isVisible().catch(() => false)) {
    who.totp_secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '')
  }
  await page.getByTestId('totp').fill(await serverTotp(who.totp_secret))
  await page.getByTestId('login-button').click()
  await visible(page.getByTestId('current-user'), `${who.username} logged in`)
  await page.waitForLoadState('networkidle') // the next page opens after this one has settled
}

/**
 * The branch administrator of 220102: from the demo data when it has one, otherwise created by
 * the system administrator (API with admin's session) and enrolled at the first log-in.
 */
async function branchAdmin(adminPage) {
  const demo = DEMO.staff.find((s) => s.grants?.some((g) => g.role === 'branch_admin' && BRANCH.startsWith(g.scope)))
  if (demo) return { ...demo }
  const who = { username: `wdadmin${Date.now() % 100000}`, password: 'Wangdian#2201demo', display_name: '网点管理员（测试）' }
  const session = await (await adminPage.request.get(`${BASE}/api/v1/session`)).json()
  const res = await adminPage.request.post(`${BASE}/api/v1/users`, {
    headers: { 'X-CSRF-Token': session.csrf_token, 'X-Dangan-Channel': 'staff' },
    data: { username: who.username, display_name: who.display_name, password: who.password, grants: [{ role: 'branch_admin', scope: '220102' }] },
  })
  assert(res.ok(), `creating the branch administrator answered ${res.status()}: ${await res.text()}`)
  return who
}

/** Logs a citizen in on the portal (the page `path` asks for it) and waits to be back there. */
async function portalLogin(page, who, path) {
  await open(page, path)
  await page.waitForURL(/\/login\?redirect=/)
  await page.getByTestId('id-number').locator('input').fill(who.id_number)
  await page.getByTestId('mobile').locator('input').fill(who.mobile)
  const code = await smsCodeAfter(who.mobile, () => page.getByTestId('send-code').click())
  await page.getByTestId('code').locator('input').fill(code)
  await page.getByTestId('login-button').click()
  await page.waitForURL(`${BASE}${path}`)
}

/** The text of the last SMS to `mobile` matching `pattern` (the server's SMS log). */
async function lastSms(mobile, pattern) {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const text = await readFile(SMS_LOG, 'utf8').catch(() => '')
    const hit = text.split('\n').filter((l) => (l.includes(mobile) || l.includes(maskMobile(mobile))) && pattern.test(l)).at(-1)
    if (hit) return hit
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`no SMS matching ${pattern} for ${maskMobile(mobile)}`)
}

// ---- page helpers ---------------------------------------------------------------------------

/** Picks a day and a slot on the booking page and confirms; returns the booking code. */
async function bookVisit(page, date, start) {
  await page.getByTestId(`day-${date}`).click()
  await page.getByTestId(`slot-${start.replace(':', '')}`).click()
  await page.getByTestId('confirm-booking').click()
  await visible(page.getByTestId('booking-done'), 'the booking confirmation')
  return page.getByTestId('booking-code').first().getAttribute('data-code')
}

const card = (page, code) => page.getByTestId('appointment').filter({ has: page.locator(`[data-code="${code}"]`) })
const row = (page, code) => page.getByTestId('queue-table').locator('tr.el-table__row').filter({ hasText: code })

/**
 * The clerk's queue for `date`, all kinds and states. Reached through the menu when the console
 * is open already: a second page load right after the first would cut its favicon short.
 */
async function openQueue(page, date) {
  if (!/\/staff\/(?!login)/.test(page.url())) await open(page, '/staff/')
  await page.getByTestId('side-menu').getByText('预约管理', { exact: true }).click()
  await page.waitForURL(/\/staff\/appointments$/)
  await visible(page.getByTestId('queue-heading'), 'the queue heading')
  const picker = page.getByTestId('queue-date').locator('input').or(page.locator('.toolbar__date input')).first()
  await picker.fill(date)
  await picker.press('Enter')
  await visible(page.getByTestId('queue-heading').getByText(date), `the queue of ${date}`)
  await page.waitForLoadState('networkidle')
}

// ---- the tests ------------------------------------------------------------------------------

export async function appointmentsTests() {
  // A working day after today and the next one: the clock goes to 08:20 of the first.
  const days = await openDays()
  const today = (await api('GET', `/branches/${BRANCH}/calendar?service=visit&days=1`)).days[0].date
  const [day0, day1] = days.filter((d) => d > today)
  assert(day0 && day1, `no two working days after ${today} in the calendar`)
  await setClock(at(day0, '08:20'))
  const codes = {}

  await test('portal at 360 px: a citizen books a visit (branch → day strip → slot with places left → confirm)', 'mobile', async (page) => {
    await portalLogin(page, ZHANG, '/appointments')
    await visible(page.getByTestId('kind-retrieval'), 'the 查档登记 choice on the 预约 page')
    await shot(page, 'appt-portal-entry-mobile')
    await page.getByTestId('kind-visit').click()
    await page.waitForURL(/\/visit$/)
    await page.getByTestId(`branch-${BRANCH}`).click()
    const strip = page.getByTestId('day-strip')
    await visible(strip, 'the day strip')
    const closed = strip.locator('.strip__day--closed').first()
    if (await closed.count()) await visible(closed.getByText(/休/), 'a closed day marked 休')
    await page.getByTestId(`day-${day0}`).click()
    await visible(page.getByTestId('slot-grid').getByText('余', { exact: false }).first(), 'slots with the places left')
    await page.getByTestId('slot-0900').click()
    await visible(page.getByTestId('confirm-when').getByText('09:00–09:30'), 'the slot in the confirmation')
    await expectNoHorizontalScroll(page)
    await shot(page, 'appt-portal-visit-confirm-mobile', true)
    const booked = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/appointments'))
    await page.getByTestId('confirm-booking').click()
    const key = await (await booked).headerValue('idempotency-key')
    assert(/^[0-9a-f-]{36}$/.test(key ?? ''), `the booking was sent without a UUID Idempotency-Key: ${key}`)
    await visible(page.getByTestId('booking-done'), 'the booking confirmation')
    codes.visit = await page.getByTestId('booking-code').getAttribute('data-code')
    assert(/^\d{6,}$/.test(codes.visit ?? ''), `booking code "${codes.visit}"`)
    const size = await page.getByTestId('booking-code').evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    assert(size >= 26, `the booking code is set in ${size}px`)
    await shotBoth(page, 'appt-portal-visit-done', 'mobile')

    // A second visit, the next working day, to cancel later. The first try meets a slot taken
    // meanwhile (409 slot_full: 已约满, the slots asked again); the second loses its answer (503)
    // and is sent again with the same Idempotency-Key, so the server can answer with the first.
    await open(page, '/visit')
    await page.getByTestId(`branch-${BRANCH}`).click()
    await page.getByTestId(`day-${day1}`).click()
    await page.getByTestId('slot-1000').click()
    const keys = []
    let attempt = 0
    await page.route('**/api/v1/appointments', async (route) => {
      keys.push(await route.request().headerValue('idempotency-key'))
      attempt++
      if (attempt === 1) {
        await route.fulfill({ status: 409, json: { error: { code: 'slot_full', message: '该时段已约满', field: 'slot_id' } } })
      } else if (attempt === 2) {
        await route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: '服务暂不可用，请稍后再试。' } } })
      } else {
        await route.continue()
      }
    })
    const refreshed = page.waitForRequest((r) => r.url().includes(`/branches/${BRANCH}/calendar`))
    await page.getByTestId('confirm-booking').click()
    await visible(page.getByTestId('slot-error').getByText('约满'), 'the 已约满 message at the slots')
    await refreshed
    await shot(page, 'appt-portal-slot-full-mobile')
    await page.getByTestId('confirm-booking').click()
    await visible(page.getByTestId('form-error').getByText('暂不可用'), 'the lost answer')
    await page.getByTestId('confirm-booking').click()
    await visible(page.getByTestId('booking-done'), 'the booking after the retry')
    await page.unroute('**/api/v1/appointments')
    assert(keys.length === 3 && keys[1] === keys[2] && keys[0] !== keys[1],
      `Idempotency-Keys: a new one after 已约满, the same on the retry; sent ${keys.join(', ')}`)
    codes.second = await page.getByTestId('booking-code').getAttribute('data-code')
  }, {
    ctx: 'appt-zhang',
    allow: [{ method: 'POST', path: '/api/v1/appointments', status: 409 }, { method: 'POST', path: '/api/v1/appointments', status: 503 }],
  })

  await test('portal at 360 px: the same citizen files a 查档登记 (purpose, own archive items, pick-up date; mail says 邮费到付)', 'mobile', async (page) => {
    await open(page, '/register')
    await page.getByTestId('purpose-retirement').click()
    await page.getByTestId('purpose-detail').locator('textarea').fill('办理退休，需要招工表和转正定级表')
    const choices = page.getByTestId('material-choice')
    assert((await choices.count()) > 0, 'the citizen\'s own archive records are not offered as materials')
    await choices.first().click()
    const picked = (await choices.first().locator('strong').textContent()).trim()
    await page.getByTestId('materials-text').locator('textarea').fill('1992 年转正定级审批表')
    await page.getByTestId(`branch-${BRANCH}`).click()
    await page.getByTestId('delivery-mail').click()
    await visible(page.getByTestId('postage-note').getByText('邮费到付'), 'the postage note for mail')
    await visible(page.getByTestId('mail-address'), 'the address field for mail')
    await shot(page, 'appt-portal-retrieval-mail-mobile', true)
    await page.getByTestId('delivery-pickup').click()
    await page.getByTestId(`day-${day1}`).click()
    await expectNoHorizontalScroll(page)
    await shot(page, 'appt-portal-retrieval-mobile', true)
    await page.getByTestId('submit-retrieval').click()
    await visible(page.getByTestId('booking-done'), 'the 查档登记 confirmation')
    codes.retrieval = await page.getByTestId('booking-code').getAttribute('data-code')
    await visible(page.getByTestId('appointment-state').getByText('已受理'), 'state 已受理')
    await visible(page.getByTestId('appointment').getByText(picked), `the picked item "${picked}" among the materials`)
  }, { ctx: 'appt-zhang' })

  await test('portal at 360 px: 我的预约 lists the three, code large; cancelling one asks first and frees it', 'mobile', async (page) => {
    await open(page, '/me')
    await page.getByTestId('go-appointments').click()
    await page.waitForURL(/\/appointments\/mine$/)
    for (const c of [codes.visit, codes.second, codes.retrieval]) await visible(card(page, c), `appointment ${c} in 我的预约`)
    await visible(card(page, codes.visit).getByTestId('appointment-when').getByText('09:00–09:30'), 'the visit time')
    await shotBoth(page, 'appt-portal-mine', 'mobile')
    // Today's 09:00 visit is past its cut-off (2 hours before): cancelling would count as a no-show.
    await card(page, codes.visit).getByTestId('cancel-appointment').click()
    const dialog = page.locator('.van-dialog')
    await visible(dialog.getByText('记为一次失约'), 'the late-cancel warning')
    await shot(page, 'appt-portal-cancel-late-mobile')
    await dialog.getByRole('button', { name: '不取消' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await card(page, codes.second).getByTestId('cancel-appointment').click()
    await visible(dialog.getByText('不记失约'), 'the cancel question (before the cut-off)')
    await shot(page, 'appt-portal-cancel-dialog-mobile')
    await dialog.getByRole('button', { name: '确定取消' }).click()
    await visible(page.getByTestId('mine-notice').getByText('已取消'), 'the cancelled notice')
    await visible(card(page, codes.second).getByTestId('appointment-state').getByText('已取消'), 'state 已取消')
  }, { ctx: 'appt-zhang' })

  const clerk = { ...staff('clerk') }
  await test('staff: the clerk books 王芳 at the window and checks her in from the day queue', 'desktop', async (page) => {
    await staffLogin(page, clerk)
    await openQueue(page, day0)
    await visible(row(page, codes.visit), 'the citizen\'s visit in the queue')
    await page.getByTestId('window-booking').click()
    const dialog = page.getByTestId('window-booking-dialog')
    await dialog.getByTestId('wb-id-number').fill(WANG.id_number)
    await dialog.getByTestId('wb-slot').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: '08:30–09:00' }).first().click()
    await shot(page, 'appt-staff-window-booking-desktop')
    await dialog.getByTestId('wb-submit').click()
    await visible(page.locator('.el-message--success').getByText('已为'), 'the window booking confirmed')
    const wang = page.getByTestId('queue-table').locator('tr.el-table__row').filter({ hasText: '08:30–09:00' }).filter({ hasText: '窗口' })
    await visible(wang, '王芳\'s window booking in the queue')
    codes.window = (await wang.getByTestId('row-code').textContent()).trim()
    await wang.getByTestId('act-check-in').click()
    await visible(row(page, codes.window).getByTestId('row-state').getByText('已签到'), 'state 已签到 after the check-in')
    await shotBoth(page, 'appt-staff-queue', 'desktop')

    // 王芳 also books tomorrow at the window, then phones to cancel: the clerk cancels with a reason.
    await openQueue(page, day1)
    await page.getByTestId('window-booking').click()
    await dialog.getByTestId('wb-id-number').fill(WANG.id_number)
    await dialog.getByTestId('wb-slot').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: '10:30–11:00' }).first().click()
    await dialog.getByTestId('wb-submit').click()
    const later = page.getByTestId('queue-table').locator('tr.el-table__row').filter({ hasText: '10:30–11:00' }).filter({ hasText: '窗口' })
    await later.getByTestId('act-cancel').click()
    const cancel = page.getByTestId('action-dialog')
    await cancel.getByTestId('action-submit').click()
    await visible(cancel.locator('.el-form-item__error').getByText('原因'), 'the reason asked for')
    await cancel.getByTestId('action-reason').fill('群众来电，改日再来')
    await cancel.getByTestId('action-submit').click()
    await visible(later.getByTestId('row-state').getByText('已取消'), 'state 已取消 after the staff cancel')
  }, { ctx: 'appt-clerk', allow: STAFF_LOGIN_ALLOW })

  // The wrong pick-up code tried first answers 422; its path is known once the queue is read.
  const wrongCode = { method: 'POST', path: '', status: 422 }
  await test('staff: the clerk prepares, readies and hands over the 查档登记 with the pick-up code from the SMS', 'desktop', async (page) => {
    await openQueue(page, day1)
    const queue = await (await page.request.get(`${BASE}/api/v1/branches/${BRANCH}/queue?date=${day1}&code=${codes.retrieval}`)).json()
    wrongCode.path = `/api/v1/appointments/${queue.appointments[0].id}/collect` // the 422 below is expected
    const r = row(page, codes.retrieval)
    await visible(r.getByText('退休审批'), 'the purpose in the queue')
    await r.getByTestId('act-prepare').click()
    await visible(r.getByTestId('row-state').getByText('备档中'), 'state 备档中')
    await r.getByTestId('act-ready').click()
    await visible(r.getByTestId('row-state').getByText('待领取'), 'state 待领取')
    const sms = await lastSms(ZHANG.mobile, /取件码/)
    const pickup = /取件码(\w+)/.exec(sms)?.[1]
    assert(pickup, `no pick-up code in "${sms}"`)
    await r.getByTestId('act-collect').click()
    const dialog = page.getByTestId('action-dialog')
    await dialog.getByTestId('action-code').fill('00000000')
    await dialog.getByTestId('action-submit').click()
    await visible(dialog.locator('.el-form-item__error').getByText('取件码'), 'a wrong pick-up code refused at the field')
    await shot(page, 'appt-staff-collect-desktop')
    await dialog.getByTestId('action-code').fill(pickup)
    await dialog.getByTestId('action-submit').click()
    await visible(r.getByTestId('row-state').getByText('已领取'), 'state 已领取')
    await r.getByTestId('act-detail').click()
    await visible(page.getByTestId('detail-dialog').getByText('材料已备好'), 'the history in the details')
    await shot(page, 'appt-staff-detail-desktop')
  }, { ctx: 'appt-clerk', allow: [wrongCode] })

  await test('kiosk: check-in by the booking code on the keypad shows the slot in large type', 'portrait', async (page) => {
    await removeCard()
    await open(page, '/kiosk/')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('预约/签到', { exact: true }).click()
    await visible(page.getByTestId('kiosk-branch').getByText('南关区社保服务大厅'), 'the kiosk\'s branch')
    await shotKiosk(page, 'appt-kiosk-hub', 'portrait')
    await page.getByTestId('go-checkin').click()
    await page.waitForURL(/\/kiosk\/checkin$/)
    await expectTouchTargets(page, page.getByTestId('keypad').locator('button:not(.keypad__key--hidden)'))
    await shotKiosk(page, 'appt-kiosk-checkin', 'portrait')
    await typeOnKeypad(page, codes.visit)
    await visible(page.getByTestId('checkin-done'), 'the check-in confirmation')
    await visible(page.getByTestId('checkin-slot').getByText('09:00–09:30'), 'the slot on the confirmation')
    const size = await page.locator('.kdone__time').evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    assert(size >= 48, `the slot time is set in ${size}px`)
    await shotKiosk(page, 'appt-kiosk-checkin-done', 'portrait')
    await page.getByTestId('checkin-finish').click()
    await page.waitForURL(/\/kiosk\/?$/)
  }, { ctx: 'appt-kiosk' })

  await test('kiosk: a citizen logs in, books a visit at this branch, then checks in with the ID card', 'landscape', async (page) => {
    await removeCard()
    await open(page, '/kiosk/')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('预约/签到', { exact: true }).click()
    await page.getByTestId('go-visit').click()
    await page.waitForURL(/\/kiosk\/login\?redirect=/)
    await typeOnKeypad(page, LI.id_number)
    await page.getByTestId('next-button').click()
    await typeOnKeypad(page, LI.mobile)
    const code = await smsCodeAfter(LI.mobile, () => page.getByTestId('next-button').click())
    await typeOnKeypad(page, code)
    await page.waitForURL(/\/kiosk\/visit$/)
    await visible(page.getByTestId('kiosk-visit-branch'), 'the kiosk\'s branch')
    await page.getByTestId(`day-${day0}`).click()
    await page.getByTestId('slot-0900').click() // its check-in opened at 08:00
    await shotKiosk(page, 'appt-kiosk-visit', 'landscape')
    await page.getByTestId('confirm-booking').click()
    await visible(page.getByTestId('booking-done'), 'the kiosk booking confirmation')
    codes.kiosk = await page.getByTestId('booking-code').getAttribute('data-code')
    await shotKiosk(page, 'appt-kiosk-visit-done', 'landscape')
    await page.getByTestId('kiosk-visit-exit').click()
    await page.waitForURL(/\/kiosk\/?$/)

    await page.getByTestId('tiles').getByText('预约/签到', { exact: true }).click()
    await page.getByTestId('go-checkin').click()
    await placeCard(LI)
    await visible(page.getByTestId('checkin-done'), 'the check-in by ID card')
    await visible(page.getByTestId('checkin-slot').getByText('09:00–09:30'), 'the slot of the kiosk booking')
    await visible(page.getByTestId('booking-code').getByText(codes.kiosk.slice(0, 4)), 'its booking code')
  }, { ctx: 'appt-kiosk-li' })
  await removeCard()

  await test('kiosk: ?branch= names the branch the terminal stands in, remembered; a bank kiosk books no visits', 'portrait', async (page) => {
    const { branches } = await api('GET', '/branches?limit=100')
    const name = (code) => branches.find((b) => b.code === code).name
    await open(page, '/kiosk/?branch=220202-001')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('预约/签到', { exact: true }).click()
    await visible(page.getByTestId('kiosk-branch').getByText(name('220202-001')), 'the branch set with ?branch=')
    // Opened again (a reload, the next morning): the terminal remembers. Another tab of the same
    // browser rather than a second navigation of this one, which would cut its favicon short.
    const again = async (path) => {
      const tab = await page.context().newPage()
      await tab.setViewportSize(VIEWPORTS.portrait)
      await open(tab, path)
      await tab.getByTestId('attract').click()
      return tab
    }
    const reopened = await again('/kiosk/appointments')
    await visible(reopened.getByTestId('kiosk-branch').getByText(name('220202-001')), 'the branch remembered after a reload')
    await reopened.close()
    const bank = await again('/kiosk/appointments?branch=220104-001')
    await visible(bank.getByTestId('kiosk-no-visits'), 'the bank kiosk saying it books no visits')
    assert((await bank.getByTestId('go-visit').count()) === 0, 'the bank kiosk offers 预约到访')
    await shot(bank, 'appt-kiosk-no-visits-portrait')
    await bank.close()
  }, { ctx: 'appt-kiosk-branch' })

  await test('kiosk: a card without a booking today is told so, in words', 'portrait', async (page) => {
    await placeCard(LIU)
    await open(page, '/kiosk/checkin')
    await page.getByTestId('attract').click()
    await visible(page.getByTestId('kiosk-error').getByText(/预约/), 'the not-found message')
    await shotKiosk(page, 'appt-kiosk-checkin-none', 'portrait')
  }, { ctx: 'appt-kiosk', allow: [{ method: 'POST', path: '/api/v1/appointments/check-in', status: 404 }] })
  await removeCard()

  // ---- three no-shows in one month ------------------------------------------------------
  await test('three missed visits in a month bar the citizen: the portal shows the bar and the reopen date', 'mobile', async (page) => {
    await portalLogin(page, LIU, '/appointments/mine')
    const book = (start) => page.evaluate(async ({ start, date, branch }) => {
      const session = await (await fetch('/api/v1/session')).json()
      const cal = await (await fetch(`/api/v1/branches/${branch}/calendar?service=visit&from=${date}&days=1`)).json()
      const slot = cal.days[0].slots.find((s) => s.start === start)
      const res = await fetch('/api/v1/appointments', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token, 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ kind: 'visit', slot_id: slot.id }),
      })
      await res.json() // read to the end: the page moves on right after
      return res.status
    }, { start, date: day0, branch: BRANCH })
    for (const start of ['10:00', '10:30', '11:00']) assert((await book(start)) === 201, `booking ${start} failed`)
    await setClock(at(day0, '15:00'))
    const swept = await sweep()
    assert(swept.no_shows >= 3, `the sweep marked ${swept.no_shows} no-shows`)
    // The clock moved by hours: the session idled out. Log in again.
    await portalLogin(page, LIU, '/appointments/mine')
    const bar = page.getByTestId('booking-bar')
    await visible(bar.getByTestId('booking-bar-title'), 'the bar on 我的预约')
    const reopen = await page.getByTestId('booking-bar-reopen').textContent()
    assert(/\d{4}年\d{1,2}月1日起可以重新预约/.test(reopen), `the reopen date: "${reopen.trim()}"`)
    assert(await page.getByTestId('new-visit').isDisabled(), 'the booking button is not disabled while barred')
    await visible(page.getByTestId('appointment-no-show').first(), 'the no-shows listed')
    await shotBoth(page, 'appt-portal-barred', 'mobile')
    await open(page, '/visit')
    await visible(page.getByTestId('booking-bar'), 'the bar on the booking page')
    await page.getByTestId(`branch-${BRANCH}`).click()
    const next = (await openDays('visit')).find((d) => d > day0)
    await page.getByTestId(`day-${next}`).click()
    await page.locator('.slots__slot:not([disabled])').first().click()
    const button = page.getByTestId('confirm-booking')
    assert(await button.isDisabled(), 'the confirm button is not disabled while barred')
    await visible(button.getByText(/\d{4}年\d{1,2}月1日起可重新预约/), 'the reopen date on the disabled button')
    await shot(page, 'appt-portal-barred-visit-mobile', true)
  }, { ctx: 'appt-liu' })

  await test('the kiosk refuses the barred citizen too, with the reopen date', 'portrait', async (page) => {
    await setClock(at(day0, '15:02')) // a second SMS code within a minute would be refused
    await open(page, '/kiosk/')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('预约/签到', { exact: true }).click()
    await page.getByTestId('go-visit').click()
    await typeOnKeypad(page, LIU.id_number)
    await page.getByTestId('next-button').click()
    await typeOnKeypad(page, LIU.mobile)
    const code = await smsCodeAfter(LIU.mobile, () => page.getByTestId('next-button').click())
    await typeOnKeypad(page, code)
    await page.waitForURL(/\/kiosk\/visit$/)
    await visible(page.getByTestId('booking-bar').getByTestId('booking-bar-title'), 'the bar on the kiosk')
    const button = page.getByTestId('confirm-booking')
    assert(await button.isDisabled(), 'the kiosk lets the barred citizen confirm')
    await visible(button.getByText(/起可重新预约/), 'the reopen date on the kiosk')
    await shotKiosk(page, 'appt-kiosk-barred', 'portrait')
    await page.getByTestId('kiosk-visit-exit').click()
  }, { ctx: 'appt-kiosk-liu' })

  await test('the window booking for the barred citizen is refused with the reason and the reopen date', 'desktop', async (page) => {
    await staffLogin(page, clerk) // 30 idle minutes of the server's clock have passed
    await openQueue(page, day0)
    await page.getByTestId('window-booking').click()
    const dialog = page.getByTestId('window-booking-dialog')
    await dialog.getByTestId('wb-id-number').fill(LIU.id_number)
    await dialog.getByTestId('wb-slot').click()
    await page.locator('.el-select-dropdown__item:not(.is-disabled)').filter({ hasText: '余' }).first().click()
    await dialog.getByTestId('wb-submit').click()
    await visible(dialog.getByTestId('wb-error').getByText(/失约/), 'the refusal at the window')
    await visible(dialog.getByTestId('wb-error').getByText(/起可重新预约/), 'the reopen date at the window')
    await shot(page, 'appt-staff-window-barred-desktop')
  }, { ctx: 'appt-clerk', allow: [...STAFF_LOGIN_ALLOW, { method: 'POST', path: '/api/v1/appointments', status: 403 }] })

  const admin = { ...staff('admin') }
  let manager
  await test('a branch administrator voids one no-show with a reason: the bar is lifted at once', 'desktop', async (page) => {
    const adminPage = await (await contextFor('appt-admin')).newPage()
    try {
      await staffLogin(adminPage, admin)
      manager = await branchAdmin(adminPage)
    } finally {
      await adminPage.close()
    }
    await staffLogin(page, manager)
    await openQueue(page, day0)
    const missed = page.getByTestId('queue-table').locator('tr.el-table__row').filter({ hasText: '失约' })
    assert((await missed.count()) >= 3, `${await missed.count()} no-shows in the queue`)
    await missed.first().getByTestId('act-void').click()
    const dialog = page.getByTestId('action-dialog')
    await dialog.getByTestId('action-submit').click()
    await visible(dialog.locator('.el-form-item__error').getByText('原因'), 'the reason asked for')
    await dialog.getByTestId('action-reason').fill('当天暴雪，公交停运，已电话核实')
    await shot(page, 'appt-staff-void-desktop')
    await dialog.getByTestId('action-submit').click()
    await visible(page.getByTestId('queue-table').getByText(/已撤销/).first(), 'the voided no-show in the queue')
    await shotBoth(page, 'appt-staff-queue-voided', 'desktop')
  }, { ctx: 'appt-manager', allow: STAFF_LOGIN_ALLOW })

  await test('after the void, the citizen\'s 我的预约 has no bar and booking is open again', 'mobile', async (page) => {
    await open(page, '/appointments/mine')
    await page.getByTestId('new-visit').waitFor({ state: 'visible' })
    assert((await page.getByTestId('booking-bar').count()) === 0, 'the bar is still shown after the void')
    assert(!(await page.getByTestId('new-visit').isDisabled()), 'booking is still disabled after the void')
    await visible(page.getByTestId('no-show-count').getByText('2 次'), 'two no-shows left this month')
    await visible(page.getByTestId('appointment-no-show').getByText('已撤销').first(), 'the voided no-show')
    await shot(page, 'appt-portal-unbarred-mobile', true)
  }, { ctx: 'appt-liu' })

  await test('预约设置: the branch administrator sees the rules and hours, adds and removes a branch holiday', 'desktop', async (page) => {
    await open(page, '/staff/appointments/settings')
    const rules = page.getByTestId('rules-card')
    await visible(rules.getByText('预约到访'), 'the rules form')
    const slot = await page.getByTestId('rules-visit-slot').locator('input').inputValue()
    assert(slot === '30', `slot length ${slot}`)
    assert((await page.getByTestId('rules-hour').count()) >= 5, 'the weekly hours are not listed')
    await page.getByTestId('rules-save').click()
    await visible(page.locator('.el-message--success').getByText('已保存'), 'the rules saved')
    const table = page.getByTestId('holiday-table')
    await visible(table.locator('tr.el-table__row').first(), 'the holiday calendar')
    const all = (await api('GET', `/branches/${BRANCH}/calendar?service=visit&days=14`)).days
    const free = all.find((d) => d.open && d.date > day1).date
    const saturday = all.find((d) => !d.open && d.weekday === 6 && !d.note).date
    const add = async (date, kind, name) => {
      const picker = page.getByTestId('holiday-date').locator('input').or(page.locator('[data-testid="holiday-form"] .el-date-editor input')).first()
      await picker.fill(date)
      await picker.press('Enter')
      await page.getByTestId('holiday-kind').getByText(kind).click()
      await page.getByTestId('holiday-name').fill(name)
      await page.getByTestId('holiday-add').click()
      const added = table.locator('tr.el-table__row').filter({ hasText: date })
      await visible(added.getByText(name).first(), `${date} ${name} in the list`)
      return added
    }
    const holiday = await add(free, '放假', '网点装修')
    const shifted = await add(saturday, '调休上班', '调休上班')
    await shotBoth(page, 'appt-staff-settings', 'desktop')

    // The citizen's day strip: the holiday closed with its name, the Saturday open as 调休上班.
    const citizen = await (await contextFor('appt-liu')).newPage()
    try {
      await citizen.setViewportSize({ width: 360, height: 740 })
      await open(citizen, '/visit')
      await citizen.getByTestId(`branch-${BRANCH}`).click()
      const holidayDay = citizen.getByTestId(`day-${free}`)
      await visible(holidayDay.getByText('休·网点装修'), 'the branch holiday on the day strip')
      assert(await holidayDay.isDisabled(), 'the holiday can be picked')
      const shiftDay = citizen.getByTestId(`day-${saturday}`)
      await visible(shiftDay.getByTestId('day-shift').getByText('调休上班'), 'the 调休 Saturday on the day strip')
      assert(!(await shiftDay.isDisabled()), 'the 调休 Saturday cannot be picked')
      await holidayDay.evaluate((e) => e.scrollIntoView({ block: 'center', inline: 'start' }))
      await shot(citizen, 'appt-portal-holiday-strip-mobile')
      await shiftDay.click()
      await visible(citizen.getByTestId('slot-0830'), 'the 调休 Saturday with Monday\'s slots')
    } finally {
      await citizen.close()
    }

    for (const row of [holiday, shifted]) {
      await row.getByTestId('holiday-remove').click()
      await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
      await row.waitFor({ state: 'detached' })
    }
  }, { ctx: 'appt-manager' })
}

