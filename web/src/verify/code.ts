/** Loose shape of a certificate number as printed or carried in the QR link. */
const CODE_PATTERN = /^[A-Za-z0-9-]{4,64}$/

/** Trims the input; returns the code, or a Chinese message saying what is wrong. */
export function parseCertificateCode(input: string): { code: string } | { error: string } {
  const code = input.trim()
  if (code === '') return { error: '请输入证明编号' }
  if (!CODE_PATTERN.test(code)) return { error: '证明编号应为 4 至 64 位字母、数字或短横线' }
  return { code }
}
