/** Dates and times as people in China read them, always in Asia/Shanghai. */

function toDate(at: string | number | null | undefined): Date | null {
  if (at === null || at === undefined || at === '') return null
  const d = typeof at === 'number' ? new Date(at) : new Date(at)
  return Number.isNaN(d.getTime()) ? null : d
}

/** "2026-03-05 14:07:09" */
export function formatDateTime(at: string | number | null | undefined): string {
  const d = toDate(at)
  if (!d) return typeof at === 'string' ? at : ''
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(d)
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`
}

/** "2026-03-05" */
export function formatDate(at: string | number | null | undefined): string {
  return formatDateTime(at).slice(0, 10)
}

/** True when the page is served from this machine: the demo set-up, where SMS go to a file. */
export function isLocalDemoHost(): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(window.location.hostname)
}
