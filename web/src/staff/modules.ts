import type { Component } from 'vue'
import {
  Calendar,
  ChatLineSquare,
  Collection,
  Headset,
  QuestionFilled,
  DataAnalysis,
  DocumentChecked,
  FolderChecked,
  Lock,
  OfficeBuilding,
  Phone,
  Promotion,
  Setting,
  Tickets,
  User,
} from '@element-plus/icons-vue'

/** A section of the staff console: one menu entry, one route. */
export interface StaffModule {
  path: string
  title: string
  icon: Component
  /** What the section will do, shown while it is being built. */
  summary: string
  /** Staff roles that see the entry and may open it; none: every member of staff. */
  roles?: readonly string[]
  /** In service (otherwise the page says it is being built). */
  built?: boolean
}

/** Who may look people up (docs/api-archives.md): the grant's scope decides whom. */
export const PERSON_READERS = ['window_clerk', 'archivist', 'reviewer', 'branch_admin'] as const

/** Who serves appointments at a branch (docs/api-appointments.md): the grant's scope decides where. */
export const APPOINTMENT_CLERKS = ['window_clerk', 'branch_admin'] as const
/** Who issues, reads and revokes certificates at a branch (docs/api-certificates.md). */
export const CERTIFICATE_CLERKS = ['window_clerk', 'branch_admin'] as const
/** Who reads the knowledge base in the console (docs/api-kb.md): editors, approvers, the administrator. */
export const KB_READERS = ['kb_editor', 'content_approver', 'system_admin'] as const
/** Who serves the 在线客服 queue (docs/api-kb.md "在线客服"). */
export const SUPPORT_AGENTS_ROLES = ['callback_agent', 'window_clerk', 'branch_admin'] as const
export const SUPPORT_PATH = '/support'

/** Who sets booking rules and the holiday calendar (system_admin: also the days every branch shares). */
export const APPOINTMENT_ADMINS = ['branch_admin', 'system_admin'] as const

export const MODULES: readonly StaffModule[] = [
  { path: '/persons', title: '人员档案（360°）', icon: User, summary: '按身份证号或姓名和出生日期查找参保人员，查看其参保经历、档案存放位置和卷内目录。', roles: PERSON_READERS, built: true },
  { path: '/appointments', title: '预约管理', icon: Calendar, summary: '网点当天的到访预约和查档登记：签到、备档、领取、邮寄、退回和失约处理。', roles: APPOINTMENT_CLERKS, built: true },
  { path: '/appointments/settings', title: '预约设置', icon: Setting, summary: '网点的预约时段、容量、可约天数和放号时间，每周办公时间，节假日与调休。', roles: APPOINTMENT_ADMINS, built: true },
  { path: '/certificates', title: '查档证明', icon: DocumentChecked, summary: '出具、打印和撤销查档证明，查看证明的核验情况。', roles: CERTIFICATE_CLERKS, built: true },
  { path: '/transfers', title: '移交审核', icon: FolderChecked, summary: '审核参保单位上传的退休人员档案数字化成果：四性检测、OCR 与逐页退回意见。' },
  { path: '/kb', title: '知识库', icon: Collection, summary: '维护智能咨询的知识条目与相似问法，审核发布，同义词与停用语，试一试。', roles: KB_READERS, built: true },
  { path: '/kb/unanswered', title: '未解答问题', icon: QuestionFilled, summary: '智能客服没能回答或转了人工的问题，按相似程度归组，用现有条目解答或新建条目。', roles: KB_READERS, built: true },
  { path: SUPPORT_PATH, title: '在线客服', icon: Headset, summary: '接入智能客服转来的群众，查看其与机器人的对话并在线答复。', roles: SUPPORT_AGENTS_ROLES, built: true },
  { path: '/policies', title: '政策发布', icon: Promotion, summary: '政策法规与查档指南的起草、审核与分渠道发布，起草人与审核人分离。' },
  { path: '/messages', title: '留言回复', icon: ChatLineSquare, summary: '查看并答复群众的留言提问。' },
  { path: '/followups', title: '回访', icon: Phone, summary: '服务完成后的跟踪回访任务，记录回访结果与满意度。' },
  { path: '/stats', title: '统计', icon: DataAnalysis, summary: '各渠道业务量、预约违约率、知识库命中率与审核时效的统计图表。' },
  { path: '/employers', title: '单位审核', icon: OfficeBuilding, summary: '审核参保单位的注册申请。', roles: ['system_admin', 'branch_admin'], built: true },
  { path: '/users', title: '用户与权限', icon: Lock, summary: '工作人员账号、角色及市、区、网点三级授权范围。', roles: ['system_admin'], built: true },
  { path: '/audit', title: '审计日志', icon: Tickets, summary: '个人信息查阅与业务操作留痕，支持哈希链完整性校验。', roles: ['auditor'], built: true },
]

export function findModule(path: string): StaffModule | undefined {
  return MODULES.find((m) => m.path === path)
}
