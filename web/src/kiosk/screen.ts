import { ref } from 'vue'

/**
 * True while the attract screen shows (the terminal waits for the next person). App shows it
 * after two idle minutes; a page with personal data sends the terminal back to it sooner.
 */
export const attract = ref(true)
