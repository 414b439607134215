import { readonly, ref } from 'vue'

// Whether the API answered the last request. The banner "Can't reach the WatchDog API
// — retrying" shows while it did not; pollers keep trying, and the first answer
// clears it.
const reachable = ref(true)

export function setReachable(ok: boolean): void {
  if (reachable.value !== ok) reachable.value = ok
}

export function useConnection() {
  return { reachable: readonly(reachable) }
}
