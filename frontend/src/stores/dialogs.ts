import { computed, shallowRef } from 'vue'
import type { Channel, Target } from '../api/types'

// The app-wide dialogs: the target form (add or edit) and the confirmation asked
// before anything destructive, which any component may open and AppShell renders; and
// the channel form, which the channels page renders.

export type TargetForm = { mode: 'add' } | { mode: 'edit'; target: Target }
export type ChannelForm = { mode: 'add' } | { mode: 'edit'; channel: Channel }

export interface ConfirmRequest {
  title: string
  body: string
  confirmLabel: string
  resolve: (ok: boolean) => void
}

const form = shallowRef<TargetForm | null>(null)
const confirmation = shallowRef<ConfirmRequest | null>(null)
const channelForm = shallowRef<ChannelForm | null>(null)

export function openAddTarget(): void {
  form.value = { mode: 'add' }
}

export function openEditTarget(target: Target): void {
  form.value = { mode: 'edit', target }
}

export function closeTargetForm(): void {
  form.value = null
}

export function openAddChannel(): void {
  channelForm.value = { mode: 'add' }
}

export function openEditChannel(channel: Channel): void {
  channelForm.value = { mode: 'edit', channel }
}

export function closeChannelForm(): void {
  channelForm.value = null
}

/** Asks in words ("Delete shop-api?"); resolves true when confirmed. */
export function askConfirm(req: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
  confirmation.value?.resolve(false)
  return new Promise((resolve) => {
    confirmation.value = {
      ...req,
      resolve: (ok) => {
        confirmation.value = null
        resolve(ok)
      },
    }
  })
}

export function useDialogs() {
  return {
    form: computed(() => form.value),
    confirmation: computed(() => confirmation.value),
    channelForm: computed(() => channelForm.value),
  }
}

/** Whether a dialog is open (single-key shortcuts stay off then). */
export function anyDialogOpen(): boolean {
  return form.value !== null || confirmation.value !== null || channelForm.value !== null
}
