// 查档证明 (issue 6): a citizen issues a certificate of items on the portal at 360 px, finds it in
// 我的证明 and downloads its PDF; a notary (an anonymous browser) checks it on the verify page by
// typed number (status only), by its PDF and a photo of its QR (with the content), an unknown and
// a mistyped number; the holder then sees the checks counted. The kiosk issues a certificate
// and loads its PDF into the hidden frame it prints from. And the "done when": a window
// clerk issues one in the staff console, its PDF is rendered at 300 dpi (pdftoppm) and its QR
// decoded (zbarimg), the decoded URL opened in a new anonymous browser says 真实有效; the clerk
// revokes it with a reason, the notary's page reloaded says 已撤销 with the date; the offline CLI
// (`dangan cert verify URL --keys KEYS.json`) still says VALID — offline, revocation cannot be
// known — and refuses a code with one character changed.
//
// Needs pdftoppm (poppler-utils) and zbarimg (zbar-tools); the binary is DANGAN_BIN, else
// DANGAN_BINARY (as cardreader.mjs), else build/dangan.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DEMO, maskId, smsCodeAfter } from './demo.mjs'
import {
  assert, BASE, contextFor, expectNoHorizontalScroll, expectTouchTargets, open, shot, shotBoth, shotKiosk, test, typeOnKeypad,
  VIEWPORTS, visible,
} from './lib.mjs'
import { ensureStaff } from './staff.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = process.env.DANGAN_BIN ?? process.env.DANGAN_BINARY ?? join(ROOT, 'build', 'dangan')

const person = (id) => DEMO.persons.find((p) => p.id_number === id)
const ZHANG = person('220102198503150015') // the clerk's certificate (district 220102, the clerk's)
const WANG = person('220104199007220026') // portal: one record at the centre with two items
const LI = person('220105196501200138') // kiosk: two records

// A citizen's second code within a minute is refused with 429: the tests wait and ask again.
const CODE_ALLOW = [{ method: 'POST', path: '/api/v1/auth/citizen/code', status: 429 }]

const execFileP = promisify(execFile)

/** Runs a program; resolves to its exit code and output whatever the code (ENOENT rejects). */
async function run(file, args) {
  try {
    const { stdout, stderr } = await execFileP(file, args, { timeout: 60_000, maxBuffer: 16 << 20 })
    return { code: 0, stdout, stderr }
  } catch (e) {
    if (typeof e.code !== 'number') throw new Error(`${file} could not run: ${e.message}`)
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** ISO 7064 MOD 11-2 over 16 digits, as the server computes a certificate number's check. */
function checkChar(digits) {
  let p = 0
  for (const c of digits) p = ((p + Number(c)) * 2) % 11
  const k = (12 - p) % 11
  return k === 10 ? 'X' : String(k)
}

/** "2026 2201 0200 0001 X" */
const grouped = (n) => `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8, 12)} ${n.slice(12, 16)} ${n.slice(16)}`

/** "2026-05-03…" → "2026年5月3日", as the pages write dates. */
function longDate(iso) {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number)
  return `${y}年${m}月${d}日`
}

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

/** Logs a citizen in on the portal (the page `path` asks for it) and waits to be back there. */
async function portalLogin(page, who, path) {
  await open(page, path)
  await page.waitForURL(/\/login\?redirect=/)
  await page.getByTestId('id-number').locator('input').fill(who.id_number)
  await page.getByTestId('mobile').locator('input').fill(who.mobile)
  const code = await smsCodeAfter(who.mobile, () => sendCode(page, page.getByTestId('send-code')))
  await page.getByTestId('code').locator('input').fill(code)
  await page.getByTestId('login-button').click()
  await page.waitForURL(`${BASE}${path}`)
}

/** The PDF rendered at 300 dpi (pdftoppm) and its QR code decoded (zbarimg): the text and the PNG. */
async function qrOfPdf(pdf, dir) {
  await writeFile(join(dir, 'certificate.pdf'), pdf)
  const render = await run('pdftoppm', ['-r', '300', '-png', '-f', '1', '-l', '1', join(dir, 'certificate.pdf'), join(dir, 'page')])
  assert(render.code === 0, `pdftoppm failed: ${render.stderr.trim()}`)
  const png = (await readdir(dir)).find((f) => f.startsWith('page') && f.endsWith('.png'))
  assert(png, 'pdftoppm wrote no PNG')
  const scan = await run('zbarimg', ['--raw', '-q', join(dir, png)])
  assert(scan.code === 0 && scan.stdout.trim(), `zbarimg found no QR code at 300 dpi (exit ${scan.code})`)
  return { text: scan.stdout.trim().split('\n')[0].trim(), png: join(dir, png) }
}

/** The decoded URL on the server under test (its origin may name the configured public address). */
function onServer(url) {
  const u = new URL(url)
  return u.origin === new URL(BASE).origin ? url : `${BASE}${u.pathname}${u.search}${u.hash}`
}

/** The code with one character of its last segment changed to another of the same alphabet. */
function alterOneCharacter(url) {
  const u = new URL(url)
  const parts = u.pathname.split('/')
  const seg = parts.at(-1)
  const i = Math.floor(seg.length / 2)
  const other = [...new Set(seg)].find((c) => c !== seg[i] && /[A-Za-z0-9]/.test(c))
  parts[parts.length - 1] = seg.slice(0, i) + other + seg.slice(i + 1)
  u.pathname = parts.join('/')
  return u.toString()
}

/** A verdict on the verify page: its result attribute and its title. */
async function expectVerdict(page, result, title) {
  const verdict = page.getByTestId('verdict').first()
  await visible(verdict.getByTestId('verdict-title').getByText(title, { exact: true }), `the verdict ${title}`)
  const seen = await verdict.getAttribute('data-result')
  assert(seen === result, `the verdict is ${seen}, expected ${result}`)
  return verdict
}

async function apiJson(page, path) {
  const res = await page.request.get(`${BASE}/api/v1${path}`)
  assert(res.ok(), `GET ${path} answered ${res.status()}`)
  return res.json()
}

// ---- the tests ------------------------------------------------------------------------------

export async function certificatesTests() {
  const dir = await mkdtemp(join(tmpdir(), 'dangan-certificates-'))
  try {
    await citizenTests(dir)
    await kioskTest()
    await doneWhen(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function citizenTests(dir) {
  const mine = {} // 王芳's certificate: {id, number, verify_url, pdf}

  await test('portal at 360 px: a citizen issues a 档案材料证明 (record → items → purpose), finds it in 我的证明, downloads the PDF', 'mobile', async (page) => {
    await portalLogin(page, WANG, '/certificates')
    await visible(page.getByTestId('new-certificate'), 'the 申请查档证明 button on 我的证明')
    await page.getByTestId('new-certificate').click()
    await page.waitForURL(/\/certificates\/new$/)
    await page.getByTestId('kind-items').click()
    const items = page.getByTestId('item-choice')
    await visible(items.first(), 'the items of her record (the only one, chosen at once)')
    assert((await items.count()) >= 2, `${await items.count()} items offered`)
    const picked = (await items.first().locator('strong').textContent()).trim()
    await items.first().click()
    await page.getByTestId('purpose-notary').click()
    await page.getByTestId('purpose-detail').locator('textarea').fill('办理房产继承公证')
    await expectNoHorizontalScroll(page)
    await shot(page, 'cert-portal-issue-mobile', true)
    const issued = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/me/certificates'))
    await page.getByTestId('issue-certificate').click()
    const res = await issued
    assert(res.status() === 201, `POST /me/certificates answered ${res.status()}`)
    assert(/^[0-9a-f-]{16,}$/i.test((await res.request().headerValue('idempotency-key')) ?? ''), 'no Idempotency-Key on the issue')
    Object.assign(mine, (await res.json()).certificate)
    await visible(page.getByTestId('certificate-issued'), 'the issued notice')
    const number = page.getByTestId('certificate-number')
    assert((await number.getAttribute('data-number')) === mine.number, 'the number shown is not the one issued')
    assert(/^\d{16}[\dX]$/.test(mine.number) && checkChar(mine.number.slice(0, 16)) === mine.number[16],
      `the number ${mine.number} has a wrong check character`)
    assert((await number.textContent()).trim() === grouped(mine.number), `the number is shown as "${(await number.textContent()).trim()}"`)
    await shotBoth(page, 'cert-portal-issued', 'mobile')

    await page.getByTestId('go-my-certificates').click()
    await page.waitForURL(/\/certificates$/)
    const card = page.locator(`[data-testid="certificate"][data-number="${mine.number}"]`)
    await visible(card, 'the certificate in 我的证明')
    await visible(card.getByTestId('certificate-status').getByText('有效'), 'status 有效')
    await visible(card.getByText('公证').first(), 'the purpose')
    assert((await card.getByTestId('check-count').getAttribute('data-count')) === '0', 'a new certificate was counted as checked')
    const download = page.waitForEvent('download')
    await card.getByTestId('download-pdf').click()
    const file = await (await download).path()
    mine.pdf = await readFile(file)
    assert(mine.pdf.subarray(0, 5).toString('latin1') === '%PDF-', 'the downloaded file is not a PDF')
    const detail = await apiJson(page, `/me/certificates/${mine.id}`)
    const listed = detail.certificate.content.records.flatMap((r) => r.items ?? []).map((i) => i.title)
    assert(listed.includes(picked), `the certificate lists ${listed.join('、')}, not the picked item ${picked}`)
    await shotBoth(page, 'cert-portal-mine', 'mobile')
  }, { ctx: 'cert-wang', allow: CODE_ALLOW })

  if (!mine.number) return

  await test('verify page at 360 px: a typed number shows the status only; unknown and mistyped numbers are told apart', 'mobile', async (page) => {
    await open(page, '/v/')
    await shotBoth(page, 'cert-verify-intro', 'mobile')
    await page.getByTestId('code-input').locator('input').fill(grouped(mine.number).toLowerCase())
    await page.getByTestId('verify-button').click()
    await page.waitForURL(new RegExp(`/v/${mine.number}$`))
    const verdict = await expectVerdict(page, 'genuine', '真实有效')
    await visible(verdict.getByTestId('verdict-number').getByText(grouped(mine.number)), 'the number')
    await visible(verdict.getByTestId('verdict-subject').getByText(maskId(WANG.id_number)), 'the masked subject')
    await visible(verdict.getByTestId('no-content-note'), 'the note that a number shows no content')
    assert((await page.getByTestId('verdict-content').count()) === 0, 'a typed number showed the certified content')
    const text = await page.locator('body').innerText()
    assert(!text.includes(WANG.id_number), 'the full ID number is shown')
    await shotBoth(page, 'cert-verify-number', 'mobile')

    // Another serial with a correct check character: not issued here.
    const digits = `${mine.number.slice(0, 10)}${String((Number(mine.number.slice(10, 16)) + 500000) % 1000000).padStart(6, '0')}`
    const unknown = digits + checkChar(digits)
    await page.getByTestId('verify-another').click()
    await page.waitForURL(/\/v\/$/)
    await page.getByTestId('code-input').locator('input').fill(unknown)
    await page.getByTestId('verify-button').click()
    await expectVerdict(page, 'unknown', '查无此证明')
    await shot(page, 'cert-verify-unknown-mobile', true)

    // One digit mistyped: the check character catches it before anything is sent.
    await page.getByTestId('verify-another').click()
    await page.waitForURL(/\/v\/$/)
    const typo = `${mine.number.slice(0, 12)}${(Number(mine.number[12]) + 1) % 10}${mine.number.slice(13)}`
    await page.getByTestId('code-input').locator('input').fill(typo)
    await page.getByTestId('verify-button').click()
    await visible(page.getByText('证明编号有误（校验码不符）'), 'the check-character message')
    assert(new URL(page.url()).pathname === '/v/', `navigated to ${page.url()}`)
  }, { ctx: 'cert-notary' })

  await test('verify page: the PDF upload matches the record and shows the content; a photo of its QR code verifies too', 'mobile', async (page) => {
    await open(page, '/v/')
    const upload = page.getByTestId('intro-upload')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/certificates/verify'))
    await upload.getByTestId('file-input').setInputFiles({ name: `chadang-${mine.number}.pdf`, mimeType: 'application/pdf', buffer: mine.pdf })
    const res = await answer
    assert(res.request().headers()['content-type'] === 'application/pdf', `the PDF went as ${res.request().headers()['content-type']}`)
    await expectVerdict(upload, 'genuine', '真实有效')
    assert((await upload.getByTestId('pdf-match').getAttribute('data-matches')) === 'true', 'the PDF does not match its record')
    await visible(upload.getByTestId('content-item').first(), 'the certified items')
    await shotBoth(page, 'cert-verify-pdf', 'mobile')

    // A picture of the printed page (300 dpi PNG): the server finds and checks its QR code.
    const { png } = await qrOfPdf(mine.pdf, dir)
    const photo = page.waitForResponse((r) => r.url().endsWith('/api/v1/certificates/verify'))
    await upload.getByTestId('file-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: await readFile(png) })
    const seen = await (await photo).json()
    assert(seen.method === 'photo', `the PNG was checked as ${seen.method}`)
    await expectVerdict(upload, 'genuine', '真实有效')
    assert((await upload.getByTestId('pdf-match').count()) === 0, 'a photo is said to match a PDF')
    await visible(upload.getByTestId('content-item').first(), 'the content after the photo')
  }, { ctx: 'cert-notary' })

  await test('the QR\'s URL shows the content; the holder then sees how often and when the certificate was checked', 'mobile', async (page) => {
    const notary = await (await contextFor('cert-notary')).newPage()
    try {
      await notary.setViewportSize(VIEWPORTS.mobile)
      await notary.goto(onServer(mine.verify_url), { waitUntil: 'networkidle' })
      await expectVerdict(notary, 'genuine', '真实有效')
      await visible(notary.getByTestId('verdict-content').getByTestId('content-item').first(), 'the certified items from the QR')
      await visible(notary.getByTestId('result-upload'), 'the 核对纸质件/PDF box')
      await shotBoth(notary, 'cert-verify-qr', 'mobile')
    } finally {
      await notary.close()
    }
    await open(page, '/me')
    await page.getByTestId('go-certificates').click()
    await page.waitForURL(/\/certificates$/)
    const card = page.locator(`[data-testid="certificate"][data-number="${mine.number}"]`)
    const count = card.getByTestId('check-count')
    await visible(count.getByText('已被核验'), 'the check count on 我的证明')
    const n = Number(await count.getAttribute('data-count'))
    assert(n >= 4, `checked ${n} times after a typed number, a PDF, a photo and the QR`)
    await visible(count.getByText('最近一次'), 'when it was last checked')
    await card.getByTestId('certificate-detail').click()
    await page.waitForURL(/\/certificates\/[^/]+$/)
    const rows = page.getByTestId('check-row')
    await visible(rows.first(), 'the checks on the detail page')
    const methods = await rows.locator('.checks__method').allTextContents()
    for (const m of ['扫描二维码', '输入编号', '上传 PDF']) assert(methods.includes(m), `no ${m} among the checks: ${methods.join('、')}`)
    await shotBoth(page, 'cert-portal-checks', 'mobile')
  }, { ctx: 'cert-wang' })
}

async function kioskTest() {
  await test('kiosk: a citizen issues a 存档地点证明 at this branch; the PDF loads into the print frame and 打印证明 prints it', 'portrait', async (page) => {
    await open(page, '/kiosk/')
    await page.getByTestId('attract').click()
    await page.getByTestId('tiles').getByText('打印查档证明', { exact: true }).click()
    await page.waitForURL(/\/kiosk\/login\?redirect=(%2F|\/)certificate$/)
    await typeOnKeypad(page, LI.id_number)
    await page.getByTestId('next-button').click()
    await visible(page.getByTestId('step-title').getByText('手机号码'), 'the mobile step')
    await typeOnKeypad(page, LI.mobile)
    const code = await smsCodeAfter(LI.mobile, () => sendCode(page, page.getByTestId('next-button')))
    await typeOnKeypad(page, code)
    await page.waitForURL(/\/kiosk\/certificate$/)
    await page.getByTestId('kind-location').click()
    await page.getByTestId('purpose-retirement').click()
    await expectTouchTargets(page, page.locator('[data-testid^="kind-"], [data-testid^="purpose-"]'))
    await shotKiosk(page, 'cert-kiosk-form', 'portrait')
    const issued = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/me/certificates'))
    const pdf = page.waitForResponse((r) => /\/api\/v1\/me\/certificates\/[^/]+\/pdf$/.test(r.url()))
    await page.getByTestId('issue-certificate').click()
    const answer = await issued
    assert(answer.status() === 201, `POST /me/certificates answered ${answer.status()}`)
    const cert = (await answer.json()).certificate
    assert(cert.channel === 'kiosk' && cert.branch.code === '220102-001', `issued on ${cert.channel} at ${cert.branch.code}`)
    const file = await pdf
    assert(file.ok() && (file.headers()['content-type'] ?? '').startsWith('application/pdf'), `the frame got ${file.status()} ${file.headers()['content-type']}`)
    // The browser's PDF viewer takes the frame's stream: the same URL read again is the file it showed.
    const again = await page.request.get(file.url())
    assert((await again.body()).subarray(0, 5).toString('latin1') === '%PDF-', 'the frame\'s address is not a PDF')
    const done = page.getByTestId('kiosk-certificate-done')
    await visible(done.getByTestId('certificate-number').getByText(cert.number_display), 'the number in large type')
    const button = page.getByTestId('print-certificate')
    await visible(button, 'the print button')
    await page.waitForFunction(() => document.querySelector('[data-testid="kiosk-certificate-done"]')?.getAttribute('data-pdf') !== 'loading')
    const state = await done.getAttribute('data-pdf')
    assert(state === 'ready', `the PDF frame is ${state} (the browser refused to show the PDF in a frame of the page)`)
    const frame = page.frames().find((f) => /\/pdf$/.test(f.url()))
    assert(frame, `no frame holds the PDF: ${page.frames().map((f) => f.url()).join(', ')}`)
    // The print dialog itself is the browser's: counted, not shown.
    await page.evaluate(() => {
      const win = document.querySelector('[data-testid="print-frame"]').contentWindow
      win.print = () => {
        window.__printed = (window.__printed ?? 0) + 1
      }
    })
    await button.click()
    assert((await page.evaluate(() => window.__printed)) === 1, '打印证明 did not print the frame')
    await visible(button.getByText('再打印一份'), 'the button offering another copy')
    await expectTouchTargets(page, button)
    await shotKiosk(page, 'cert-kiosk-done', 'portrait')
    await page.getByTestId('kiosk-certificate-exit').click()
    await page.waitForURL(/\/kiosk\/?$/)
  }, { ctx: 'cert-kiosk', allow: CODE_ALLOW })
}

async function doneWhen(dir) {
  await ensureStaff('clerk')
  const issued = {} // {id, number, qr (decoded text), revokedAt}

  await test('staff: the clerk issues a certificate for 张伟; its PDF at 300 dpi carries a QR code a new anonymous browser opens as 真实有效', 'desktop', async (page) => {
    await open(page, '/staff/certificates')
    const form = page.getByTestId('issue-form')
    await visible(form, 'the issue form')
    await form.getByTestId('issue-id-number').fill(ZHANG.id_number)
    await form.getByTestId('issue-read').click()
    await visible(form.getByTestId('issue-person').getByText(maskId(ZHANG.id_number)), 'the applicant read (masked)')
    await form.getByTestId('issue-purpose').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: /^公证$/ }).first().click()
    await shotBoth(page, 'cert-staff-issue', 'desktop')
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/certificates'))
    await form.getByTestId('issue-submit').click()
    assert((await answer).status() === 201, `POST /certificates answered ${(await answer).status()}`)
    const shown = page.getByTestId('issued-number')
    await visible(shown, 'the number of the certificate issued')
    issued.id = await shown.getAttribute('data-id')
    issued.number = await shown.getAttribute('data-number')
    assert((await shown.textContent()).trim() === grouped(issued.number), 'the number is not shown grouped')
    const href = await page.getByTestId('issued').getByTestId('open-pdf').getAttribute('href')
    assert(href === `/api/v1/certificates/${issued.id}/pdf`, `the PDF link is ${href}`)
    await shotBoth(page, 'cert-staff-issued', 'desktop')

    const res = await page.request.get(`${BASE}${href}`)
    assert(res.ok() && (res.headers()['content-type'] ?? '').startsWith('application/pdf'), `GET ${href} answered ${res.status()}`)
    const pdf = await res.body()
    assert(pdf.subarray(0, 5).toString('latin1') === '%PDF-', 'the staff PDF is not a PDF')
    issued.qr = (await qrOfPdf(pdf, dir)).text
    assert(/^https?:\/\/[^/]+\/v\/\S+$/.test(issued.qr), `the QR holds "${issued.qr}", not a /v/ URL`)

    const notary = await (await contextFor('cert-notary-scan')).newPage() // a browser of its own: no cookies
    try {
      assert((await notary.context().cookies()).length === 0, 'the notary\'s browser has cookies')
      await notary.setViewportSize(VIEWPORTS.mobile)
      await notary.goto(onServer(issued.qr), { waitUntil: 'networkidle' })
      await expectVerdict(notary, 'genuine', '真实有效')
      await visible(notary.getByTestId('verdict-number').getByText(grouped(issued.number)), 'the number on the verify page')
      await visible(notary.getByTestId('content-holder').first(), 'the holder of the archive (the certified content)')
      await shotBoth(notary, 'cert-done-genuine', 'mobile')
    } finally {
      await notary.close()
    }
  }, { ctx: 'clerk' })

  if (!issued.qr) return

  await test('staff: the clerk finds it by number (with a purpose), sees the notary\'s check, and revokes it with a reason', 'desktop', async (page) => {
    await open(page, '/staff/certificates')
    const search = page.getByTestId('certificate-search')
    await search.getByTestId('certificate-search-number').fill(grouped(issued.number))
    await search.getByTestId('certificate-search-button').click()
    await visible(search.locator('.el-form-item__error').getByText('查阅目的'), 'the purpose asked for')
    const sent = page.waitForRequest((r) => r.url().includes('/api/v1/certificates?number='))
    await search.getByTestId('certificate-search-purpose').fill('公证处来电核实')
    await search.getByTestId('certificate-search-button').click()
    const purpose = (await sent).headers()['x-dangan-purpose']
    assert(purpose && decodeURIComponent(purpose) === '公证处来电核实', `X-Dangan-Purpose was "${purpose}"`)
    const row = page.getByTestId('certificates-table').locator('tr.el-table__row').filter({ hasText: grouped(issued.number) })
    await visible(row, 'the certificate in the results')
    await visible(row.getByTestId('row-status').getByText('有效'), 'status 有效')
    await row.getByTestId('row-detail').click()
    const dialog = page.getByTestId('certificate-dialog')
    await visible(dialog.getByTestId('checks-table').locator('tr.el-table__row').first(), 'the notary\'s check in the details')
    await visible(dialog.getByTestId('checks-table').getByText('扫描二维码').first(), 'the check by QR')
    await shot(page, 'cert-staff-detail-desktop')
    await dialog.getByTestId('detail-revoke').click()
    const revoke = page.getByTestId('revoke-dialog')
    await revoke.getByTestId('revoke-submit').click()
    await visible(revoke.locator('.el-form-item__error').getByText('撤销原因'), 'the reason asked for')
    await revoke.getByTestId('revoke-reason').fill('申请人所持证明遗失，已作废')
    await shot(page, 'cert-staff-revoke-desktop')
    const done = page.waitForResponse((r) => r.url().endsWith(`/api/v1/certificates/${issued.id}/revoke`))
    await revoke.getByTestId('revoke-submit').click()
    const answer = await done
    assert(answer.status() === 200, `revoke answered ${answer.status()}`)
    issued.revokedAt = (await answer.json()).certificate.revoked_at
    await visible(dialog.getByTestId('detail-status').getByText('已撤销'), 'the details saying 已撤销')
    await visible(dialog.getByTestId('detail-revoked').getByText('已作废'), 'the reason in the details')
    await page.keyboard.press('Escape')
    await visible(row.getByTestId('row-status').getByText('已撤销'), 'the row saying 已撤销')
    await row.scrollIntoViewIfNeeded()
    await shotBoth(page, 'cert-staff-revoked', 'desktop')
  }, { ctx: 'clerk', allow: [] })

  await test('the notary\'s page reloaded says 已撤销 with the date', 'mobile', async (page) => {
    assert(issued.revokedAt, 'the certificate was not revoked')
    await page.goto(onServer(issued.qr), { waitUntil: 'networkidle' })
    await expectVerdict(page, 'revoked', '已撤销')
    await visible(page.getByTestId('verdict-revoked-at').getByText(longDate(issued.revokedAt)), 'the date of the revocation')
    await shotBoth(page, 'cert-done-revoked', 'mobile')
  }, { ctx: 'cert-notary-scan' })

  await test('offline: `dangan cert verify <decoded URL> --keys <published keys>` says VALID; one character changed is refused', 'desktop', async (page) => {
    const res = await page.request.get(`${BASE}/.well-known/dangan-keys.json`)
    assert(res.ok(), `GET /.well-known/dangan-keys.json answered ${res.status()}`)
    const keys = await res.json()
    assert(keys.keys?.length > 0 && keys.alg === 'SM2-with-SM3', 'no SM2 keys published')
    const file = join(dir, 'dangan-keys.json')
    await writeFile(file, JSON.stringify(keys))
    const ok = await run(BIN, ['cert', 'verify', issued.qr, '--keys', file])
    assert(ok.code === 0, `cert verify exited ${ok.code}: ${(ok.stdout + ok.stderr).trim().split('\n')[0]}`)
    assert(/^VALID\b/m.test(ok.stdout), `cert verify printed "${ok.stdout.trim().split('\n')[0]}"`)
    assert(ok.stdout.replace(/\s+/g, '').includes(issued.number), 'cert verify does not name the number')
    const altered = alterOneCharacter(issued.qr)
    const bad = await run(BIN, ['cert', 'verify', altered, '--keys', file])
    assert(bad.code !== 0, `cert verify accepted a changed code (exit 0): ${bad.stdout.trim().split('\n')[0]}`)
    assert(!/^VALID\b/m.test(bad.stdout), 'cert verify printed VALID for a changed code')
  }, { ctx: 'cert-offline' })
}
