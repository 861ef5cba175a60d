/** Names people read for the codes of the audit log. */

export const ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'login', label: '登录' },
  { value: 'login_failed', label: '登录失败' },
  { value: 'logout', label: '退出登录' },
  { value: 'logout_all', label: '全部设备退出' },
  { value: 'person.read', label: '查阅个人信息' },
  { value: 'person.read_full', label: '查阅完整证件号码' },
  { value: 'access_denied', label: '越权访问被拒绝' },
  { value: 'user.create', label: '新建工作人员' },
  { value: 'user.update', label: '修改工作人员' },
  { value: 'user.unlock', label: '解除锁定' },
  { value: 'employer.create', label: '新建参保单位' },
  { value: 'employer.apply', label: '单位注册申请' },
  { value: 'employer.approve', label: '批准参保单位' },
]

const ACTORS: Record<string, string> = {
  citizen: '群众',
  staff: '工作人员',
  employer: '单位用户',
  system: '系统',
  anonymous: '未登录',
}

const CHANNELS: Record<string, string> = {
  web: '网站',
  mobile: '移动端',
  kiosk: '自助终端',
  staff: '工作人员控制台',
  phone: '电话',
  wechat: '微信',
  cli: '命令行',
}

export function actionLabel(action: string): string {
  return ACTIONS.find((a) => a.value === action)?.label ?? action
}

export function actorKindLabel(kind: string): string {
  return ACTORS[kind] ?? kind
}

export function channelLabel(channel: string | null): string {
  return channel ? (CHANNELS[channel] ?? channel) : ''
}
