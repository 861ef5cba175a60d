// Browser tests for the four web apps (portal, kiosk, staff, verify) against a running server:
// their shells, and logging in as each kind of user through the real pages.
//
//   DANGAN_URL=http://127.0.0.1:8080 DANGAN_NOTIFY_SMS_LOG=<the server's sms log> node tests/browser/run.mjs
//
// Uses playwright-core from web/node_modules and Debian's /usr/bin/chromium. Demo users come
// from tests/fixtures/demo.json; citizens' SMS codes are read from DANGAN_NOTIFY_SMS_LOG.
// The kiosk's ID-card reader bridge is played by `dangan card-reader-sim` (cardreader.mjs) on
// the address GET /api/v1/info gives the kiosk, allowing only DANGAN_URL's origin to read the
// card. Screenshots go to build/screenshots/. Prints "ok - name" / "not ok - name: reason" per
// test and "N passed, N failed" last; exits 1 if any test failed. DANGAN_BROWSER_ONLY=certificates
// (a comma-separated list of suite names) runs only those suites.
import { appointmentsTests } from './appointments.mjs'
import { archivesTests } from './archives.mjs'
import { certificatesTests } from './certificates.mjs'
import { chatTests } from './chat.mjs'
import { startCardReader, stopCardReader } from './cardreader.mjs'
import { BASE, close, counts, launch } from './lib.mjs'
import { kioskTests } from './kiosk.mjs'
import { portalTests } from './portal.mjs'
import { shellTests } from './shell.mjs'
import { staffTests } from './staff.mjs'
import { supportTests } from './support.mjs'

const ONLY = (process.env.DANGAN_BROWSER_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean)
const wanted = (suite) => ONLY.length === 0 || ONLY.includes(suite)

async function main() {
  let info
  try {
    const res = await fetch(`${BASE}/api/v1/info`)
    info = await res.json()
    if (!res.ok || typeof info.version !== 'string') throw new Error(`HTTP ${res.status}`)
    console.log(`ok - GET /api/v1/info answers (${info.version} ${info.revision} ${info.database})`)
    counts.passed++
  } catch (e) {
    console.log(`not ok - GET /api/v1/info at ${BASE}: ${e.message}`)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
  const statusText = `v${info.version} · ${info.revision} · ${info.database}`

  try {
    await startCardReader(info.kiosk?.card_reader_url ?? 'http://127.0.0.1:8765', BASE)
    await launch()
    if (wanted('staff')) await staffTests() // logs admin and auditor in; later suites reuse those sessions
    if (wanted('portal')) await portalTests()
    if (wanted('kiosk')) await kioskTests()
    if (wanted('shell')) await shellTests(statusText)
    if (wanted('archives')) await archivesTests() // its citizens' SMS codes are a minute apart from the portal's
    if (wanted('certificates')) await certificatesTests() // before the clock moves: certificates are dated today
    if (wanted('chat')) await chatTests() // before the clock moves: sessions end after 30 idle minutes
    if (wanted('support')) await supportTests() // 知识库 and 在线客服: the citizen on /chat, the agent in the console
    if (wanted('appointments')) await appointmentsTests() // last: it moves the server's clock forward
  } catch (e) {
    console.log(`not ok - browser tests stopped: ${String(e?.message ?? e).split('\n')[0]}`)
    counts.failed++
  } finally {
    await close()
    await stopCardReader()
  }
  console.log(`${counts.passed} passed, ${counts.failed} failed`)
  process.exit(counts.failed > 0 ? 1 : 0)
}

await main()
