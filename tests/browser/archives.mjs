// 档案存放地查询: a citizen on the portal at 360 px (a holder with its address and a call
// button, or the next steps when nothing is found), on the kiosk with the ID card on the
// simulated reader, and a window clerk's 人员档案（360°） view with its refusals.
import { readFile } from 'node:fs/promises'
import { DEMO, maskId, smsCodeAfter } from './demo.mjs'
import { cardReaderBase, placeCard, removeCard } from './cardreader.mjs'
import {
  assert, BASE, expectNoHorizontalScroll, expectTouchTargets, open, sessionUser, shot, shotBoth, shotKiosk, test, typeOnKeypad, VIEWPORTS,
  visible,
} from './lib.mjs'
import { ensureStaff } from './staff.mjs'

const ARCHIVES = JSON.parse(await readFile(new URL('../../src/archives/demo_archives.json', import.meta.url), 'utf8'))
const holder = (code) => ARCHIVES.holders.find((h) => h.code === code)
const person = (id) => DEMO.persons.find((p) => p.id_number === id)

const ZHANG = person('220102198503150015') // two records, the first at the centre (shelf A-03-12-4-0217)
const ZHAO = person('220203197804050461') // no records: the next steps
const CHEN = person('220202199511300351') // Jilin City: outside the clerk's district 220102
const LIU = person('220106197208080246') // one record, 移交中
const LI = person('220105196501200138') // two records, in store and lent
const CENTRE = holder('2201-ZX')
const SHELF = 'A库 03排 12架 4层 0217盒'
const EMPLOYER = DEMO.employers[0].name

// A citizen's second code within a minute is refused with 429: the tests wait and ask again.
const CODE_ALLOW = [{ method: 'POST', path: '/api/v1/auth/citizen/code', status: 429 }]

/** Clicks `button` to send an SMS code; after a 429 waits out retry_after and clicks again. */
async function sendCode(page, button) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/auth/citizen/code'))
    await button.click()
    const res = await answer
    if (res.status() !== 429) return
    const wait = (await res.json().catch(() => null))?.error?.retry_after ?? 60
    await page.waitForTimeout((wait + 1) * 1000)
  }
  throw new Error('the SMS code was refused three times')
}

/** The GB 11643 check character of 17 digits, to build numbers the server (not the page) refuses. */
function checkChar(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0)
  return '10X98765432'[sum % 11]
}
const withCheck = (first17) => first17 + checkChar(first17)

/** From the portal home, through the log-in the lookup asks for, to 档案存放地查询. */
async function portalLookup(page, who) {
  await open(page, '/')
  await page.getByTestId('nav-grid').getByText('档案存放地查询', { exact: true }).click()
  await page.waitForURL(/\/login\?redirect=(%2F|\/)lookup$/)
  await page.getByTestId('id-number').locator('input').fill(who.id_number)
  await page.getByTestId('mobile').locator('input').fill(who.mobile)
  const code = await smsCodeAfter(who.mobile, () => sendCode(page, page.getByTestId('send-code')))
  await page.getByTestId('code').locator('input').fill(code)
  await page.getByTestId('login-button').click()
  await page.waitForURL(`${BASE}/lookup`)
}

async function expectMinFontSize(locator, min, what) {
  const size = await locator.first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
  assert(size >= min, `${what} is set in ${size}px, under ${min}px`)
}

async function portalTests() {
  await test('citizen logs in at 360x740 and sees where the archive is kept, with address and a call button', 'mobile', async (page) => {
    await portalLookup(page, ZHANG)
    const card = page.getByTestId('archive-location').filter({ hasText: CENTRE.name })
    await visible(card.getByTestId('holder-name').getByText(CENTRE.name, { exact: true }), 'the holder 长春市社会保险档案管理中心')
    await visible(card.getByTestId('holder-address').getByText(CENTRE.address), "the holder's address")
    await visible(card.getByText(CENTRE.opening_hours), 'opening hours')
    await visible(card.getByTestId('record-kind').getByText('社会保险业务档案'), 'record kind label')
    await visible(card.getByTestId('record-status').getByText('在库'), 'record status label')
    const call = card.getByTestId('call-holder')
    assert((await call.getAttribute('href')) === `tel:${CENTRE.phone.replace(/\D/g, '')}`, `call button is ${await call.getAttribute('href')}`)
    await visible(page.getByTestId('holder-name').getByText(EMPLOYER, { exact: true }), 'the second holder (the employer)')
    const text = await page.locator('body').textContent()
    assert(!text.includes(ZHANG.id_number), 'the full ID number is shown')
    assert(!text.includes('A-03-12-4-0217') && !text.includes('0217盒'), 'the shelf location is shown to the citizen')
    await expectMinFontSize(card.getByTestId('holder-address'), 16, 'the address')
    await expectTouchTargets(page, page.getByTestId('call-holder'), 44)
    await expectNoHorizontalScroll(page)
    await shotBoth(page, 'portal-lookup', 'mobile')
  }, { ctx: 'lookup-zhang', allow: CODE_ALLOW })

  await test('a citizen without records sees the next steps: 12333 and branches of her own city', 'mobile', async (page) => {
    const branchQuery = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/branches')
    await portalLookup(page, ZHAO)
    const region = new URL((await branchQuery).url()).searchParams.get('region')
    assert(region === '2202', `branches asked for region ${region}, not 2202 (Jilin City)`)
    const steps = page.getByTestId('next-steps')
    await visible(steps.getByText('没有查到您的档案记录'), 'the nothing-found title')
    assert((await steps.getByTestId('next-step').count()) >= 2, 'fewer than two next steps')
    await visible(steps.getByTestId('next-step').getByText('12333').first(), 'the 12333 step')
    assert((await steps.getByTestId('call-hotline').getAttribute('href')) === 'tel:12333', 'no tel:12333 link')
    // 赵丽's ID card was issued in Jilin City (2202): branches there, not Changchun's.
    await visible(steps.getByTestId('branch').getByText('吉林市昌邑区社保服务大厅'), 'a branch of her own city offering 档案查询')
    assert((await steps.getByText('南关区社保服务大厅').count()) === 0, 'a branch of another city is offered')
    assert((await page.getByTestId('archive-location').count()) === 0, 'an address card without records')
    await expectNoHorizontalScroll(page)
    await shotBoth(page, 'portal-lookup-none', 'mobile')
  }, { ctx: 'lookup-zhao', allow: CODE_ALLOW })

  await test('a transferred and a destroyed record are not shown as kept: what to do instead', 'mobile', async (page) => {
    await withGoneRecords(page)
    await portalLookup(page, LI)
    const hello = await page.getByTestId('lookup-hello').textContent()
    assert(hello.includes('这些机构保管'), `the lead counts the records gone: "${hello.trim()}"`)
    await visible(page.getByTestId('lookup-gone').getByText('不在原保管机构'), 'the heading of the records gone')
    const transferred = page.locator('[data-testid="archive-location"][data-status="transferred"]')
    await visible(transferred.getByTestId('record-gone').getByText('已移交'), 'the transferred notice')
    await visible(transferred.getByTestId('record-next-steps').getByText('12333'), 'ask 12333 where it went')
    assert((await transferred.getByRole('link', { name: '12333' }).getAttribute('href')) === 'tel:12333', 'no tel:12333 link')
    await visible(transferred.getByTestId('call-holder').getByText('打电话问原保管机构'), 'call the former holder')
    const destroyed = page.locator('[data-testid="archive-location"][data-status="destroyed"]')
    await visible(destroyed.getByTestId('record-gone').getByText('已经销毁'), 'the destroyed notice')
    await visible(destroyed.getByTestId('record-next-steps').getByText('销毁清册'), 'the destruction register')
    for (const card of [transferred, destroyed]) {
      assert((await card.locator('.loc__warn').count()) === 0, 'a gone record says 前往之前请先打电话确认')
    }
    assert((await page.locator('[data-testid="archive-location"]:not([data-status="transferred"]):not([data-status="destroyed"])').count()) === 2,
      'the records still kept are not shown as before')
    await expectNoHorizontalScroll(page)
    await shotBoth(page, 'portal-lookup-gone', 'mobile')
  }, { ctx: 'lookup-li', allow: CODE_ALLOW })
}

/**
 * The demo data has no transferred or destroyed record: the page's GET /api/v1/me/archives gets
 * one of each added after the real ones (the same shape, other holders).
 */
async function withGoneRecords(page) {
  const bureau = holder('220102-SB')
  await page.route('**/api/v1/me/archives', async (route) => {
    const res = await route.fetch()
    const body = await res.json()
    const [first] = body.records
    body.records.push(
      { ...first, archival_code: '220102-SB-2003-000451', kind: 'social_insurance', kind_label: '社会保险业务档案',
        status: 'transferred', status_label: '已移交', filed_year: 2003,
        holder: { ...first.holder, ...bureau, kind_label: '区（县）社保经办机构' } },
      { ...first, archival_code: '2201-SB-1994-000087', kind: 'other', kind_label: '其他档案',
        status: 'destroyed', status_label: '已销毁', filed_year: 1994 },
    )
    await route.fulfill({ response: res, json: body })
  })
}

async function staffSearch(page, fields) {
  await open(page, '/staff/persons')
  if (fields.id_number !== undefined) await page.getByTestId('search-id-number').fill(fields.id_number)
  await page.getByTestId('search-purpose').fill(fields.purpose ?? '')
  await page.getByTestId('search-button').click()
}

/** The error Element Plus shows under the form item holding `testid`. */
const fieldError = (page, testid) =>
  page.locator('.el-form-item').filter({ has: page.getByTestId(testid) }).locator('.el-form-item__error')

async function staffTests() {
  await test('clerk finds 张伟 by ID number with a purpose and opens the 360° view: shelf, employer, items', 'desktop', async (page) => {
    await ensureStaff('clerk')
    await staffSearch(page, { id_number: ZHANG.id_number, purpose: '窗口查档' })
    const results = page.getByTestId('search-results')
    await visible(results.getByText(maskId(ZHANG.id_number)), 'the masked ID number in the results')
    await shotBoth(page, 'staff-person-search', 'desktop')
    const read = page.waitForRequest((r) => /\/api\/v1\/persons\/[0-9a-f-]+$/.test(new URL(r.url()).pathname))
    await results.getByTestId('open-person').first().click()
    await page.waitForURL(/\/staff\/persons\/[0-9a-f-]+$/)
    const request = await read
    assert(new URL(request.url()).search === '', `the person is read with a query: ${request.url()}`)
    assert((await request.headerValue('x-dangan-purpose')) === encodeURIComponent('窗口查档'),
      `X-Dangan-Purpose is ${await request.headerValue('x-dangan-purpose')}`)
    await visible(page.getByTestId('person-name').getByText(ZHANG.name), 'the name in the header')
    await visible(page.getByTestId('person-header').getByText('身份证发证地区划'), 'the region labelled as where the ID card was issued')
    await visible(page.getByTestId('person-id-number').getByText(maskId(ZHANG.id_number)), 'the masked ID number')
    await visible(page.getByTestId('shelf-label').getByText(SHELF), `shelf location ${SHELF}`)
    await visible(page.getByTestId('employment-timeline').getByText(EMPLOYER), 'the employer in the timeline')
    await visible(page.getByTestId('records-table').getByText(CENTRE.name).first(), 'the holder in the records table')
    const text = await page.locator('body').textContent()
    assert(!text.includes(ZHANG.id_number), 'the full ID number is shown')
    await page.getByTestId('records-table').locator('.el-table__expand-icon').first().click()
    await visible(page.getByTestId('record-items').getByText('社会保险参保登记表'), 'the items (卷内目录) of the record')
    await shotBoth(page, 'staff-person-360', 'desktop')
  }, { ctx: 'clerk' })

  await test('clerk: the person page reloaded has no purpose and asks for one inline before reading', 'desktop', async (page) => {
    await ensureStaff('clerk')
    await staffSearch(page, { id_number: ZHANG.id_number, purpose: '待遇核定' })
    await page.getByTestId('search-results').getByTestId('open-person').first().click()
    await visible(page.getByTestId('person-name').getByText(ZHANG.name), 'the person opened from the results')
    let reads = 0
    page.on('request', (r) => { if (/\/api\/v1\/persons\/[0-9a-f-]+$/.test(new URL(r.url()).pathname)) reads++ })
    await page.reload({ waitUntil: 'networkidle' })
    const prompt = page.getByTestId('purpose-prompt')
    await visible(prompt.getByText('请先填写查阅目的'), 'the purpose asked for after the reload')
    assert(reads === 0, 'the person was read without a purpose')
    assert((await page.getByTestId('person-error').count()) === 0, 'a raw error instead of the question')
    await page.getByTestId('person-purpose-submit').click()
    await visible(fieldError(page, 'person-purpose').getByText('请填写查阅目的'), 'an empty purpose refused at the field')
    await shot(page, 'staff-person-purpose-desktop')
    await page.getByTestId('person-purpose').fill('档案借阅 复核')
    const read = page.waitForRequest((r) => /\/api\/v1\/persons\/[0-9a-f-]+$/.test(new URL(r.url()).pathname))
    await page.getByTestId('person-purpose-submit').click()
    assert((await (await read).headerValue('x-dangan-purpose')) === encodeURIComponent('档案借阅 复核'), 'the typed purpose is not sent')
    await visible(page.getByTestId('person-name').getByText(ZHANG.name), 'the person after the purpose was given')
    await visible(page.getByText('查阅目的：档案借阅 复核'), 'the purpose shown on the page')
    assert(!page.url().includes('purpose') && !page.url().includes('%'), `the purpose is in the URL: ${page.url()}`)
  }, { ctx: 'clerk' })

  await test('clerk finds 张伟 by name and birth date', 'desktop', async (page) => {
    await ensureStaff('clerk')
    await open(page, '/staff/persons')
    await page.getByTestId('search-mode').getByText('按姓名和出生日期').click()
    await page.getByTestId('search-name').fill(ZHANG.name)
    const date = page.getByPlaceholder('选择日期') // Element Plus keeps the test id on its wrapper
    await date.fill('1985-03-15')
    await date.press('Enter')
    await page.getByTestId('search-purpose').fill('电话咨询答复')
    await page.getByTestId('search-button').click()
    await visible(page.getByTestId('search-results').getByText(maskId(ZHANG.id_number)), '张伟 found by name and birth date')
  }, { ctx: 'clerk' })

  await test('clerk: a missing purpose is named before sending; 陈磊 outside the district is 403 next to the ID number', 'desktop', async (page) => {
    await ensureStaff('clerk')
    await staffSearch(page, { id_number: CHEN.id_number, purpose: '' })
    await visible(fieldError(page, 'search-purpose').getByText('请填写查阅目的'), 'the purpose error')
    await page.getByTestId('search-purpose').fill('窗口查档')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/persons/search'))
    await page.getByTestId('search-button').click()
    assert((await answer).status() === 403, 'the search outside the scope did not answer 403')
    await visible(fieldError(page, 'search-id-number').getByText('不在您的管辖范围内'), 'the 403 message next to the ID number')
    assert((await page.getByTestId('search-results').count()) === 0, 'results shown for a person outside the scope')
    await shot(page, 'staff-person-403-desktop')
  }, { ctx: 'clerk', allow: [{ method: 'POST', path: '/api/v1/persons/search', status: 403 }] })

  await test('clerk: an impossible ID number is 422 and an unknown one 404 with the next steps, both at the field', 'desktop', async (page) => {
    await ensureStaff('clerk')
    await staffSearch(page, { id_number: withCheck('22010219850230001'), purpose: '窗口查档' })
    await visible(fieldError(page, 'search-id-number').getByText('出生日期'), 'the 422 message about the birth date')
    await page.getByTestId('search-id-number').fill(withCheck('22010219900101123'))
    await page.getByTestId('search-button').click()
    await visible(fieldError(page, 'search-id-number').getByText('12333'), 'the 404 next steps')
    await shot(page, 'staff-person-404-desktop')
  }, {
    ctx: 'clerk',
    allow: [{ method: 'POST', path: '/api/v1/persons/search', status: 422 }, { method: 'POST', path: '/api/v1/persons/search', status: 404 }],
  })
}

/** On the kiosk's log-in, with the ID number already in: the mobile, the SMS code, the lookup. */
async function kioskMobileAndCode(page, who) {
  await visible(page.getByTestId('step-title').getByText('手机号码'), 'the mobile step')
  await typeOnKeypad(page, who.mobile)
  const code = await smsCodeAfter(who.mobile, () => sendCode(page, page.getByTestId('next-button')))
  await typeOnKeypad(page, code)
  await page.waitForURL(/\/kiosk\/lookup$/)
}

async function kioskTests() {
  await test('kiosk reads 张伟\'s ID card from the reader, then the SMS code, and shows the holder in large type', 'portrait', async (page) => {
    await removeCard()
    await open(page, '/kiosk/')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('档案查询', { exact: true }).click()
    await page.waitForURL(/\/kiosk\/login\?redirect=(%2F|\/)lookup$/)
    await visible(page.locator('[data-testid="card-reader"][data-state="waiting"]'), 'the reader waiting for a card')
    await shotKiosk(page, 'kiosk-card-wait', 'portrait')
    await placeCard(ZHANG)
    await visible(page.getByTestId('card-read').getByText(ZHANG.name), 'the name read from the card')
    await shotKiosk(page, 'kiosk-card-read', 'portrait')
    await kioskMobileAndCode(page, ZHANG)
    const name = page.getByTestId('holder-name').getByText(CENTRE.name, { exact: true })
    await visible(name, 'the holder on the kiosk')
    await visible(page.getByTestId('holder-address').getByText(CENTRE.address).first(), "the holder's address")
    await expectMinFontSize(page.getByTestId('holder-name'), 32, 'the holder name on the kiosk')
    await expectMinFontSize(page.getByTestId('holder-address'), 24, 'the address on the kiosk')
    assert((await page.getByTestId('call-holder').count()) === 0, 'a call button on a terminal without a phone')
    await visible(page.getByTestId('idle-countdown').getByText('秒内无操作将自动退出'), 'the idle notice')
    await expectTouchTargets(page, page.getByTestId('kiosk-lookup-exit'))
    await shotKiosk(page, 'kiosk-lookup', 'portrait')
    await page.getByTestId('kiosk-lookup-exit').click()
    await page.waitForURL(/\/kiosk\/?$/)
    assert((await sessionUser(page)) === null, 'the session still answers after 退出')

    // 张伟 leaves his card on the reader: the exit screen asks him to take it, and the next
    // person's log-in does not read it (it would log them in as him).
    await visible(page.getByTestId('take-card').getByText('请取走您的身份证'), 'the request to take the card after 退出')
    await shotKiosk(page, 'kiosk-take-card', 'portrait')
    await page.getByTestId('kiosk-login-button').click()
    await page.waitForURL(/\/kiosk\/login$/)
    await visible(page.locator('[data-testid="card-reader"][data-state="stale"]'), 'the reader naming the card left on it')
    await page.waitForTimeout(2_500) // two more polls of the reader
    assert((await page.getByTestId('card-read').count()) === 0, 'the card left on the reader was read for the next person')
    await visible(page.getByTestId('step-title').getByText('请放置身份证'), 'the log-in still at the ID-number step')
    await shotKiosk(page, 'kiosk-card-stale', 'portrait')
    await removeCard()
    await visible(page.locator('[data-testid="card-reader"][data-state="waiting"]'), 'the reader waiting once the card is taken')
    await placeCard(ZHANG) // laid down again: read again
    await visible(page.getByTestId('card-read').getByText(ZHANG.name), 'the card read after it was taken off and laid down')
  }, { ctx: 'kiosk-card', allow: CODE_ALLOW })
  await removeCard()

  await test('a page of another origin cannot read the card; the kiosk\'s own origin can', 'portrait', async (page) => {
    await placeCard(ZHANG)
    await open(page, '/kiosk/')
    const read = (url) => page.evaluate(async (u) => {
      try {
        const res = await fetch(u, { cache: 'no-store', credentials: 'omit' })
        return `${res.status} ${(await res.text()).includes('220102') ? 'card' : 'no card'}`
      } catch (e) {
        return `refused: ${e.name}`
      }
    }, url)
    assert((await read(`${cardReaderBase()}/card`)) === '200 card', 'the kiosk pages cannot read the card')
    // The same server under another name is another origin, as any other site would be.
    const other = new URL(BASE)
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
    await page.goto(`${other.origin}/kiosk/`, { waitUntil: 'networkidle' })
    const answer = await read(`${cardReaderBase()}/card`)
    assert(answer.startsWith('refused'), `a page of ${other.origin} read the reader: ${answer}`)
  }, { ctx: 'kiosk-origin', strict: false })
  await removeCard()

  await test('kiosk lookup by card returns to the start after 60 idle seconds and asks to take the card', 'landscape', async (page) => {
    await withGoneRecords(page)
    await page.clock.install()
    await placeCard(LIU)
    await open(page, '/kiosk/lookup')
    await page.getByTestId('attract').click()
    await page.waitForURL(/\/kiosk\/login\?redirect=/)
    await visible(page.getByTestId('card-read').getByText(LIU.name), 'the name read from the card')
    await kioskMobileAndCode(page, LIU)
    await visible(page.getByTestId('record-status').getByText('移交中'), 'the record status')
    const lead = await page.locator('.klook__lead').first().textContent()
    assert(lead.includes('这家机构保管'), `the lead counts the records gone: "${lead.trim()}"`)
    await visible(page.getByTestId('lookup-gone'), 'the heading of the records gone')
    await visible(page.getByTestId('record-gone').getByText('已移交').first(), 'the transferred notice')
    await visible(page.getByTestId('record-gone').getByText('销毁清册'), 'the destroyed notice')
    await shot(page, 'kiosk-lookup-transferring-landscape')
    await page.getByTestId('lookup-gone').evaluate((e) => e.scrollIntoView({ block: 'start' }))
    await shot(page, 'kiosk-lookup-gone-landscape')
    const logout = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/auth/logout'))
    await page.clock.runFor(55_000)
    assert(new URL(page.url()).pathname === '/kiosk/lookup', 'left the result before 60 s')
    await visible(page.getByTestId('idle-countdown').getByText('5'), 'the countdown near its end')
    // A jump, not a run: the reader's 900 ms read timeout started on the attract screen must
    // not fire while the clock races past it.
    await page.clock.fastForward(6_000)
    await logout
    await visible(page.getByText('请触摸屏幕开始'), 'the attract screen after the idle time')
    await visible(page.getByTestId('take-card').getByText('请取走您的身份证'), 'the request to take the card after the idle log-out')
    await page.waitForLoadState('networkidle')
    assert((await sessionUser(page)) === null, 'the session still answers after the idle log-out')
    await shotKiosk(page, 'kiosk-attract-take-card', 'landscape')
    // The installed clock also flows by itself: the next read (in a second) finds no card. No
    // runFor here, which could fire the timeout of a read in flight.
    await removeCard()
    await page.getByTestId('take-card').waitFor({ state: 'detached' }).catch(() => {
      throw new Error('the request to take the card stays after the card was taken')
    })
  }, { ctx: 'kiosk-idle', allow: CODE_ALLOW })
  await removeCard()
}

export async function archivesTests() {
  await portalTests()
  await staffTests() // between the portal and the kiosk: 张伟's next code is due a minute later
  await kioskTests()
}
