import type { Component } from 'vue'
import {
  ChatDotRound,
  ChatLineSquare,
  Calendar,
  DocumentChecked,
  EditPen,
  Location,
  Reading,
  User,
} from '@element-plus/icons-vue'

/** A citizen-facing service of the portal; each has its own route. */
export interface Feature {
  path: string
  title: string
  summary: string
  icon: Component
  tint: string
  /** Where a long title may wrap in the narrow home grid (characters before the break). */
  wrapAt?: number
}

export const FEATURES: readonly Feature[] = [
  { path: '/lookup', title: '档案存放地查询', summary: '查询本人档案由哪家机构保管', icon: Location, tint: '#1a56b8', wrapAt: 5 },
  { path: '/register', title: '查档登记', summary: '在线登记查档需求，材料备齐后短信通知', icon: EditPen, tint: '#0f8a8a' },
  { path: '/visit', title: '预约到访', summary: '选择服务网点、日期和时段', icon: Calendar, tint: '#2f7de1' },
  { path: '/certificates', title: '查档证明', summary: '在线出具查档证明，扫码核验真伪', icon: DocumentChecked, tint: '#c0392b' },
  { path: '/guides', title: '政策法规与查档指南', summary: '政策法规、利用制度和办事指南', icon: Reading, tint: '#d98b00', wrapAt: 5 },
  { path: '/chat', title: '智能咨询', summary: '在线提问，智能客服即时解答', icon: ChatDotRound, tint: '#6a4fc7' },
  { path: '/messages', title: '留言互动', summary: '留言提问，工作人员答复', icon: ChatLineSquare, tint: '#1f9d55' },
  { path: '/me', title: '我的', summary: '登录、我的预约与消息', icon: User, tint: '#51606f' },
]

export function findFeature(path: string): Feature | undefined {
  return FEATURES.find((f) => f.path === path)
}
