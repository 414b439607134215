// What the component tests share: a JSON answer for a stubbed fetch, a wait for the
// fetches and renders a step set off, mounting into the document, and finding and
// changing a control by its label, as a person (and a screen reader) would.
import { type App, type Plugin, type VNode, createApp, defineComponent, h, nextTick } from 'vue'

/** A JSON answer; an error status is a problem (application/problem+json) unless told otherwise. */
export function json(body: unknown, status = 200, type = status < 300 ? 'application/json' : 'application/problem+json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

/** Lets the stubbed fetches answer and the DOM catch up: a few macrotask turns, then a render. */
export async function settle(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0))
  await nextTick()
}

/** A RouterLink for components tested without a router: a plain anchor. */
export const PlainRouterLink = defineComponent({
  props: { to: { type: [String, Object], default: undefined } },
  setup: (_props, { slots }) => () => h('a', { href: '#' }, slots.default?.()),
})

export interface Mounted {
  el: HTMLElement
  app: App
  unmount: () => void
}

/**
 * Mounts render into a new element of the document. With a router it is installed;
 * with `links`, RouterLink renders plain anchors instead. `into` mounts inside an
 * element of one's own (a row inside a table), which is then the one removed.
 */
export function mount(
  render: () => VNode,
  o: { router?: Plugin; links?: boolean; into?: { root: HTMLElement; target: HTMLElement } } = {},
): Mounted {
  const el = o.into?.root ?? document.createElement('div')
  document.body.append(el)
  const app = createApp({ render })
  if (o.router) app.use(o.router)
  if (o.links) app.component('RouterLink', PlainRouterLink)
  app.mount(o.into?.target ?? el)
  return {
    el,
    app,
    unmount: () => {
      app.unmount()
      el.remove()
    },
  }
}

type Control = HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement

/** The control a label names (its text with spaces collapsed), by `for` or inside it; null when there is none. */
export function byLabel<T extends HTMLElement = Control>(root: ParentNode, name: string): T | null {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent?.replace(/\s+/g, ' ').trim() === name)
  if (!label) return null
  if (label.htmlFor) return root.querySelector<T>(`#${CSS.escape(label.htmlFor)}`)
  return label.querySelector<T>('input, select, textarea')
}

/** The control a label names; throws when there is none, so a test says which. */
export function control(root: ParentNode, name: string): Control {
  const c = byLabel(root, name)
  if (!c) throw new Error(`no control labelled ${name}`)
  return c
}

/** Types into an input or textarea, or picks in a select, with the event Vue's v-model listens to. */
export function set(c: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): void {
  c.value = value
  c.dispatchEvent(new Event(c instanceof HTMLSelectElement ? 'change' : 'input'))
}

/** The texts the control's aria-describedby points at (its hint, its errors). */
export function described(root: ParentNode, c: Element): string[] {
  return (c.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => root.querySelector(`#${CSS.escape(id)}`)?.textContent?.trim() ?? `(missing #${id})`)
}
