import { computed, shallowRef } from 'vue'

// Short messages after an action ("shop-api paused"), read out by screen readers and
// gone after a few seconds; errors stay a little longer.

export interface Toast {
  id: number
  message: string
  kind: 'info' | 'warning' | 'error'
}

const toasts = shallowRef<readonly Toast[]>([])
let nextId = 1

export function notify(message: string, kind: Toast['kind'] = 'info'): void {
  const toast = { id: nextId++, message, kind }
  toasts.value = [...toasts.value.slice(-3), toast]
  setTimeout(() => dismiss(toast.id), kind === 'info' ? 5_000 : 10_000)
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id)
}

export function useToasts() {
  return computed(() => toasts.value)
}
