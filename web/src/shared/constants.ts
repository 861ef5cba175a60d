/** Names and numbers shown to people on every channel. */
export const PLATFORM_NAME = '社会保险档案智慧服务平台'
export const CENTRE_NAME = '社会保险档案管理中心'
export const HOTLINE = '12333'
export const HOTLINE_NAME = '人力资源和社会保障服务热线'
export const SLOGAN = '只跑一次 · 一次不跑'

/** The plain notice every not-yet-built service shows instead of data. */
export function buildingNotice(service: string): { title: string; body: string; help: string } {
  return {
    title: `“${service}”服务正在建设中`,
    body: '该项服务暂未开放，开通后将在本平台公布。',
    help: `如需咨询或办理，请拨打${HOTLINE_NAME} ${HOTLINE}，或前往${CENTRE_NAME}服务窗口。`,
  }
}
