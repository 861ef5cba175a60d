import { createApp } from 'vue'
import '@shared/theme.css'
// Element Plus: only the styles of the components the console uses (each pulls in the base).
import 'element-plus/es/components/breadcrumb/style/css'
import 'element-plus/es/components/breadcrumb-item/style/css'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/card/style/css'
import 'element-plus/es/components/menu/style/css'
import 'element-plus/es/components/menu-item/style/css'
import 'element-plus/es/components/result/style/css'
import 'element-plus/es/components/tag/style/css'
import App from './App.vue'
import { router } from './router'
import { syncDocumentTitle } from '@shared/title'

syncDocumentTitle(router, '工作人员控制台')
createApp(App).use(router).mount('#app')
