import type { Component } from 'vue'
import { Printer, Search, Service, Tickets } from '@element-plus/icons-vue'

/** A service tile on the kiosk home screen; each has its own route. */
export interface Tile {
  path: string
  title: string
  summary: string
  icon: Component
  tint: string
}

export const TILES: readonly Tile[] = [
  { path: '/lookup', title: '档案查询', summary: '查询档案存放地', icon: Search, tint: 'linear-gradient(135deg,#1a56b8,#2f86e6)' },
  { path: '/appointments', title: '预约/签到', summary: '预约到访 · 到场签到', icon: Tickets, tint: 'linear-gradient(135deg,#0c7a7a,#17a5a0)' },
  { path: '/certificate', title: '打印查档证明', summary: '自助打印查档证明', icon: Printer, tint: 'linear-gradient(135deg,#b8432f,#e0674a)' },
  { path: '/robot', title: '咨询机器人', summary: '语音和文字咨询', icon: Service, tint: 'linear-gradient(135deg,#5b45b8,#8067e0)' },
]

export function findTile(path: string): Tile | undefined {
  return TILES.find((t) => t.path === path)
}
