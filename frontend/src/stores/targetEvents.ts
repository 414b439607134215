import { readonly, ref } from 'vue'

// A counter bumped after every change to a target (added, edited, paused, deleted,
// checked), so whatever shows targets polls again at once instead of up to 5 s later.
const version = ref(0)

export function targetsChanged(): void {
  version.value++
}

export function useTargetsVersion() {
  return readonly(version)
}
