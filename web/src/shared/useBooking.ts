/**
 * The booking pages' state, shared by the portal and the kiosk: the citizen's bar, sending a
 * booking with its Idempotency-Key, and for a visit the branch's days and the chosen slot.
 */
import { computed, ref, watch } from 'vue'
import { ApiError } from './api'
import {
  book,
  branchCalendar,
  isRetryable,
  myAppointments,
  reopenText,
  reopensOnOf,
  useIdempotencyKey,
  type Appointment,
  type Bar,
  type Booking,
  type BranchCalendar,
} from './appointments'
import { useFormErrors } from './formErrors'

/**
 * A booking form's sending and its bar: the citizen's bar loaded up front (the buttons are
 * disabled with the reopen date while barred), the Idempotency-Key reused when the same form is
 * sent again after a lost answer, and a 403 booking_barred turned into the bar at once.
 * `send` resolves to the booking or rejects with the ApiError for the form to show;
 * `buttonText(text)` is the send button's text: `text`, or 暂停预约 with the reopen date while barred.
 */
export function useBookingForm() {
  const bar = ref<Bar | null>(null)
  const busy = ref(false)
  const booked = ref<Appointment | null>(null)
  const key = useIdempotencyKey()
  const barred = computed(() => bar.value?.barred === true)

  async function loadBar(): Promise<void> {
    try {
      bar.value = (await myAppointments()).bar
    } catch {
      // The bar is checked again by the server on booking; the form still opens.
    }
  }

  async function send(body: Booking): Promise<Appointment> {
    busy.value = true
    try {
      booked.value = await book(body, key.for(body))
      key.forget()
      return booked.value
    } catch (e) {
      if (!isRetryable(e)) key.forget()
      if (e instanceof ApiError && e.code === 'booking_barred') {
        // Barred meanwhile (another channel's third no-show): shown at once, then as the server has it.
        const limit = bar.value?.limit ?? 3
        bar.value = { barred: true, until: null, reopens_on: reopensOnOf(e), no_shows_this_month: limit, limit, reason: e.message }
        void loadBar()
      }
      throw e
    } finally {
      busy.value = false
    }
  }

  function buttonText(text: string): string {
    return barred.value ? `暂停预约，${reopenText(bar.value?.reopens_on)}` : text
  }

  return { bar, barred, busy, booked, loadBar, send, buttonText }
}

/**
 * 预约到访 at `branch()`: its bookable days, the chosen day and slot, and confirm. A slot taken
 * meanwhile (409 slot_full, 已约满) or closed (slot_closed) is said at the slots and the days are
 * asked again; other errors go to the form's general message.
 */
export function useVisitBooking(branch: () => string) {
  const form = useBookingForm()
  const errors = useFormErrors(['slot_id'] as const)
  const calendar = ref<BranchCalendar | null>(null)
  const date = ref('')
  const slotId = ref('')
  const loading = ref(false)
  const loadError = ref('')
  const day = computed(() => calendar.value?.days.find((d) => d.date === date.value) ?? null)
  const slot = computed(() => day.value?.slots.find((s) => s.id === slotId.value) ?? null)

  /** Asks for the days again; `keep` keeps the chosen day and slot while they can still be booked. */
  async function loadDays(keep = false): Promise<void> {
    if (!keep) calendar.value = null
    if (!branch()) return
    loading.value = true
    loadError.value = ''
    try {
      calendar.value = await branchCalendar(branch(), 'visit')
      if (!keep || !day.value) date.value = ''
      if (!slot.value?.bookable) slotId.value = ''
    } catch (e) {
      loadError.value = e instanceof ApiError ? e.message : '日期加载失败，请稍后再试。'
    } finally {
      loading.value = false
    }
  }

  watch(date, () => {
    slotId.value = ''
    errors.clear()
  })

  async function confirm(): Promise<void> {
    if (!slot.value || form.busy.value || form.barred.value) return
    errors.clear()
    try {
      await form.send({ kind: 'visit', slot_id: slot.value.id })
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'slot_full' || e.code === 'slot_closed')) {
        const message = e.code === 'slot_full' ? '这个时段刚刚约满了，请选择其他时段。' : e.message
        await loadDays(true)
        errors.show(new ApiError(e.status, e.code, message, 'slot_id'))
      } else {
        errors.show(e)
      }
    }
  }

  return { form, errors, calendar, date, slotId, day, slot, loading, loadError, loadDays, confirm }
}
