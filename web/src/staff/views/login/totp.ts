/** The base32 secret of an otpauth:// URI, for people who type it into their app by hand. */
export function secretOf(otpauthUri: string): string {
  const m = /[?&]secret=([A-Za-z2-7=]+)/.exec(otpauthUri)
  return m?.[1] ? decodeURIComponent(m[1]).toUpperCase() : ''
}

/** "ABCD EFGH IJKL …" */
export function groupSecret(secret: string): string {
  return secret.replace(/=+$/, '').match(/.{1,4}/g)?.join(' ') ?? ''
}

/**
 * The server's QR code (an SVG document) as an image URL. Shown through <img>, never inserted
 * into the page, so nothing in it can run; the CSP allows img-src data:.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
