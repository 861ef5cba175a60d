// The kiosk's ID-card reader bridge for the browser tests: `dangan card-reader-sim` on the
// address the server under test gives the kiosk (GET /api/v1/info → kiosk.card_reader_url;
// test.sh picks a free port and passes it to the server as DANGAN_KIOSK_CARD_READER_URL), allowing
// only the origin of the server under test to read the card (--allow-origin). The tests place
// and remove cards from Node, without an Origin, as curl would. DANGAN_BINARY names the binary
// (default build/dangan).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = process.env.DANGAN_BINARY ?? join(ROOT, 'build', 'dangan')

let sim = null
let base = ''

/**
 * Starts the simulator on the port of `url` (a 127.0.0.1 or localhost address), letting pages of
 * `pageOrigin` (the server under test) read the card, and waits until it listens.
 */
export async function startCardReader(url, pageOrigin) {
  const u = new URL(url)
  if (!['127.0.0.1', 'localhost'].includes(u.hostname)) throw new Error(`card reader ${url} is not on this machine`)
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  const args = ['card-reader-sim', '--port', port, '--allow-origin', new URL(pageOrigin).origin]
  sim = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`card-reader-sim did not start: ${out.trim()}`)), 10_000)
    sim.stdout.on('data', (d) => {
      out += d
      if (out.includes('http://')) {
        clearTimeout(timer)
        resolve()
      }
    })
    sim.stderr.on('data', (d) => (out += d))
    sim.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`card-reader-sim exited with ${code}: ${out.trim().split('\n').at(-1)}`))
    })
  })
  base = `http://127.0.0.1:${port}`
}

/** The simulator's address, for tests that talk to it as another page would. */
export function cardReaderBase() {
  return base
}

export async function stopCardReader() {
  if (!sim || sim.exitCode !== null) return
  const exited = once(sim, 'exit')
  sim.kill('SIGTERM')
  await exited
}

/** Lays the card of `person` ({id_number, name}) on the reader. */
export async function placeCard(person) {
  const res = await fetch(`${base}/card`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id_number: person.id_number, name: person.name }),
  })
  if (!res.ok) throw new Error(`PUT /card answered ${res.status}: ${await res.text()}`)
}

export async function removeCard() {
  if (!base) return
  const res = await fetch(`${base}/card`, { method: 'DELETE' })
  if (res.status !== 204) throw new Error(`DELETE /card answered ${res.status}`)
}
