import { looksLikeNumber, normaliseNumber, numberProblem } from '@shared/certificates'

/** A typed certificate number: normalised (no spaces, upper-case X), or what is wrong with it. */
export function parseCertificateNumber(input: string): { number: string } | { error: string } {
  const problem = numberProblem(input)
  return problem ? { error: problem } : { number: normaliseNumber(input) }
}

/**
 * What the last segment of /v/<segment> holds: a certificate number (typed on the intro page, 17
 * characters) or the signed code the QR carries (anything else; the server says when it is not one).
 */
export function segmentKind(segment: string): 'number' | 'code' {
  return looksLikeNumber(segment) && segment.replace(/\s+/g, '').length === 17 ? 'number' : 'code'
}
