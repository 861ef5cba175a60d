/**
 * The branch this terminal stands in (its visits are booked and checked in here). Set once by
 * opening the kiosk with `?branch=220104-001`, remembered in localStorage; 220102-001 (the
 * demo's main hall) until then.
 */
const KEY = 'dangan.kiosk.branch'
export const DEFAULT_BRANCH = '220102-001'
const BRANCH_CODE = /^\d{6}-\d{1,6}$/

/** Stores `?branch=` of the address the kiosk was opened with, when it names a branch. */
export function rememberBranchFromUrl(): void {
  const wanted = new URLSearchParams(window.location.search).get('branch')
  if (!wanted || !BRANCH_CODE.test(wanted)) return
  try {
    window.localStorage.setItem(KEY, wanted)
  } catch {
    // Storage refused (private mode): the default branch serves.
  }
}

export function kioskBranch(): string {
  try {
    const stored = window.localStorage.getItem(KEY)
    if (stored && BRANCH_CODE.test(stored)) return stored
  } catch {
    // As above.
  }
  return DEFAULT_BRANCH
}
