// The notification channel form: the settings each channel type asks for, the request
// body the form makes (secrets only when typed: the API never returns them and keeps
// the stored one when a PATCH leaves it out), and where the API's field errors go
// ("config.url" under the URL input). Kept apart from the component to be tested alone.
import type { Channel, ChannelCreate, ChannelPatch, ChannelType, FieldError } from '../api/types'
import { parseHeaders } from './targetForm'

export type ChannelFieldKind = 'url' | 'text' | 'secret' | 'addresses' | 'headers' | 'select'

export interface ChannelFieldSpec {
  /** The config key the API takes. */
  key: string
  label: string
  kind: ChannelFieldKind
  required?: boolean
  placeholder?: string
  hint?: string
  /** For a select: its choices; '' means "not set" (the key is left out). */
  options?: readonly { value: string; label: string }[]
  /** Sent as a number rather than a string. */
  numeric?: boolean
  /** Write-only though not a password (a webhook's headers, whose values are secret). */
  writeOnly?: boolean
}

export interface ChannelTypeSpec {
  value: ChannelType
  label: string
  fields: readonly ChannelFieldSpec[]
  /**
   * The key of the server a self-hosted type sends to. Moved to another origin, the
   * stored secrets are not sent there: the API asks for them again.
   */
  destination?: string
}

const WEBHOOK_URL: ChannelFieldSpec = {
  key: 'url',
  label: 'Webhook URL',
  kind: 'secret',
  required: true,
}

export const CHANNEL_TYPES = [
  {
    value: 'webhook',
    label: 'Webhook',
    destination: 'url',
    fields: [
      {
        key: 'url',
        label: 'URL',
        kind: 'url',
        required: true,
        placeholder: 'https://example.com/hooks/watchdog',
        hint: 'Gets a JSON POST for each event',
      },
      { key: 'secret', label: 'Secret', kind: 'secret', hint: 'Signs each body: X-WatchDog-Signature: sha256=…' },
      {
        key: 'headers',
        label: 'Headers',
        kind: 'headers',
        writeOnly: true,
        placeholder: 'Authorization: Bearer …',
        hint: 'One per line: Name: value; sent with each delivery',
      },
    ],
  },
  {
    value: 'slack',
    label: 'Slack',
    fields: [{ ...WEBHOOK_URL, placeholder: 'https://hooks.slack.com/services/…', hint: 'An incoming webhook of your Slack app' }],
  },
  {
    value: 'discord',
    label: 'Discord',
    fields: [{ ...WEBHOOK_URL, placeholder: 'https://discord.com/api/webhooks/…', hint: "From the channel's Integrations settings" }],
  },
  {
    value: 'teams',
    label: 'Microsoft Teams',
    fields: [
      {
        ...WEBHOOK_URL,
        label: 'Workflow URL',
        placeholder: 'https://…/workflows/…',
        hint: 'A Power Automate workflow that posts webhook requests to a channel',
      },
    ],
  },
  {
    value: 'email',
    label: 'Email',
    fields: [
      {
        key: 'to',
        label: 'Recipients',
        kind: 'addresses',
        required: true,
        placeholder: 'ops@example.com, oncall@example.com',
        hint: "Comma-separated; sent through the server's SMTP settings",
      },
    ],
  },
  {
    value: 'telegram',
    label: 'Telegram',
    fields: [
      { key: 'bot_token', label: 'Bot token', kind: 'secret', required: true, hint: 'From @BotFather' },
      { key: 'chat_id', label: 'Chat ID', kind: 'text', required: true, placeholder: '-1001234567890 or @channel' },
    ],
  },
  {
    value: 'ntfy',
    label: 'ntfy',
    destination: 'url',
    fields: [
      { key: 'url', label: 'Server URL', kind: 'url', placeholder: 'https://ntfy.sh', hint: 'Leave empty for https://ntfy.sh' },
      { key: 'topic', label: 'Topic', kind: 'text', required: true, placeholder: 'watchdog-alerts' },
      { key: 'token', label: 'Access token', kind: 'secret', hint: 'For a protected topic' },
      {
        key: 'priority',
        label: 'Priority',
        kind: 'select',
        numeric: true,
        options: [
          { value: '', label: 'Not set' },
          { value: '1', label: '1 — min' },
          { value: '2', label: '2 — low' },
          { value: '3', label: '3 — default' },
          { value: '4', label: '4 — high' },
          { value: '5', label: '5 — urgent' },
        ],
      },
    ],
  },
  {
    value: 'pagerduty',
    label: 'PagerDuty',
    fields: [
      { key: 'routing_key', label: 'Routing key', kind: 'secret', required: true, hint: 'The integration key of an Events API v2 service' },
      {
        key: 'severity',
        label: 'Severity',
        kind: 'select',
        options: [
          { value: '', label: 'Not set' },
          { value: 'critical', label: 'Critical' },
          { value: 'error', label: 'Error' },
          { value: 'warning', label: 'Warning' },
          { value: 'info', label: 'Info' },
        ],
      },
    ],
  },
  {
    value: 'matrix',
    label: 'Matrix',
    destination: 'homeserver_url',
    fields: [
      {
        key: 'homeserver_url',
        label: 'Server URL',
        kind: 'url',
        required: true,
        placeholder: 'https://matrix.example.org',
        hint: 'The homeserver of the account that posts',
      },
      {
        key: 'access_token',
        label: 'Access token',
        kind: 'secret',
        required: true,
        hint: 'Of the account that posts (a bot user is best): Settings → Help & About',
      },
      {
        key: 'room_id',
        label: 'Room ID',
        kind: 'text',
        required: true,
        placeholder: '!abcdefghijklmn:example.org',
        hint: "The room's internal ID from its Settings → Advanced, not its #alias; the account must have joined it",
      },
    ],
  },
  {
    value: 'mattermost',
    label: 'Mattermost',
    fields: [
      { ...WEBHOOK_URL, placeholder: 'https://mattermost.example.com/hooks/…', hint: 'An incoming webhook, from Integrations' },
      {
        key: 'channel',
        label: 'Channel',
        kind: 'text',
        placeholder: 'town-square or @user',
        hint: "Leave empty for the webhook's own; another works only if the webhook is not locked to its channel",
      },
      {
        key: 'username',
        label: 'Sender name',
        kind: 'text',
        placeholder: 'WatchDog',
        hint: 'Needs "Enable integrations to override usernames" on the server',
      },
      {
        key: 'icon_url',
        label: 'Icon URL',
        kind: 'url',
        placeholder: 'https://example.com/icon.png',
        hint: 'Needs "Enable integrations to override profile picture icons"',
      },
    ],
  },
  {
    value: 'rocketchat',
    label: 'Rocket.Chat',
    fields: [
      {
        ...WEBHOOK_URL,
        placeholder: 'https://chat.example.com/hooks/…',
        hint: 'An incoming webhook integration (Administration → Integrations)',
      },
      {
        key: 'channel',
        label: 'Channel',
        kind: 'text',
        placeholder: '#alerts or @user',
        hint: "Leave empty for the integration's own",
      },
      { key: 'username', label: 'Sender name', kind: 'text', placeholder: 'WatchDog', hint: 'Shown as the sender (an alias)' },
    ],
  },
  {
    value: 'googlechat',
    label: 'Google Chat',
    fields: [
      {
        ...WEBHOOK_URL,
        placeholder: 'https://chat.googleapis.com/v1/spaces/…',
        hint: "From the space's Apps & integrations → Webhooks",
      },
    ],
  },
  {
    value: 'gotify',
    label: 'Gotify',
    destination: 'server_url',
    fields: [
      { key: 'server_url', label: 'Server URL', kind: 'url', required: true, placeholder: 'https://gotify.example.com' },
      {
        key: 'token',
        label: 'App token',
        kind: 'secret',
        required: true,
        hint: 'The token of an application on the server (Apps → Create application)',
      },
      {
        key: 'priority',
        label: 'Priority',
        kind: 'select',
        numeric: true,
        hint: 'How the Gotify app shows it: 0 only in its list, 1–3 quietly, 4–7 with a sound, 8–10 with sound and vibration',
        options: [
          { value: '', label: 'Not set (8 — high)' },
          { value: '0', label: '0 — no notification' },
          { value: '1', label: '1 — low' },
          { value: '2', label: '2 — low' },
          { value: '3', label: '3 — low' },
          { value: '4', label: '4 — normal' },
          { value: '5', label: '5 — normal' },
          { value: '6', label: '6 — normal' },
          { value: '7', label: '7 — normal' },
          { value: '8', label: '8 — high' },
          { value: '9', label: '9 — high' },
          { value: '10', label: '10 — high' },
        ],
      },
    ],
  },
  {
    value: 'pushover',
    label: 'Pushover',
    fields: [
      { key: 'user_key', label: 'User key', kind: 'secret', required: true, hint: 'Your user key, or a group key (30 letters and digits)' },
      {
        key: 'app_token',
        label: 'App token',
        kind: 'secret',
        required: true,
        hint: 'The API token of an application you created on pushover.net',
      },
      {
        key: 'priority',
        label: 'Priority',
        kind: 'select',
        numeric: true,
        options: [
          { value: '', label: 'Not set (normal)' },
          { value: '-2', label: 'Lowest — no notification' },
          { value: '-1', label: 'Low — no sound' },
          { value: '0', label: 'Normal' },
          { value: '1', label: 'High — bypasses quiet hours' },
        ],
      },
      {
        key: 'device',
        label: 'Device',
        kind: 'text',
        placeholder: 'phone',
        hint: 'Leave empty for all your devices; several go comma-separated (phone,tablet)',
      },
      { key: 'sound', label: 'Sound', kind: 'text', placeholder: 'siren', hint: "A sound's name from Pushover's list; empty for your default" },
    ],
  },
  {
    value: 'opsgenie',
    label: 'Opsgenie',
    fields: [
      {
        key: 'api_key',
        label: 'API key',
        kind: 'secret',
        required: true,
        placeholder: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
        hint: 'Of an API integration with Create and Update access; alerts close when the target is up again',
      },
      {
        key: 'region',
        label: 'Region',
        kind: 'select',
        hint: 'EU for accounts on app.eu.opsgenie.com',
        options: [
          { value: '', label: 'Not set (US)' },
          { value: 'us', label: 'US' },
          { value: 'eu', label: 'EU' },
        ],
      },
      {
        key: 'priority',
        label: 'Priority',
        kind: 'select',
        options: [
          { value: '', label: 'Not set (P3)' },
          { value: 'P1', label: 'P1 — critical' },
          { value: 'P2', label: 'P2 — high' },
          { value: 'P3', label: 'P3 — moderate' },
          { value: 'P4', label: 'P4 — low' },
          { value: 'P5', label: 'P5 — informational' },
        ],
      },
    ],
  },
  {
    value: 'zulip',
    label: 'Zulip',
    destination: 'site',
    fields: [
      {
        key: 'site',
        label: 'Server URL',
        kind: 'url',
        required: true,
        placeholder: 'https://example.zulipchat.com',
        hint: "Your Zulip organization's address",
      },
      {
        key: 'email',
        label: 'Bot email',
        kind: 'text',
        required: true,
        placeholder: 'watchdog-bot@example.zulipchat.com',
        hint: 'The email Zulip gave the bot (Personal settings → Bots)',
      },
      { key: 'api_key', label: 'Bot API key', kind: 'secret', required: true, hint: "32 letters and digits, shown with the bot's email" },
      { key: 'stream', label: 'Channel', kind: 'text', required: true, placeholder: 'alerts', hint: 'The channel (stream) the bot posts in' },
      {
        key: 'topic',
        label: 'Topic',
        kind: 'text',
        placeholder: "The target's name",
        hint: "Leave empty for one topic per target; test messages go to \"WatchDog\"",
      },
    ],
  },
  {
    value: 'twilio',
    label: 'Twilio SMS',
    fields: [
      {
        key: 'account_sid',
        label: 'Account SID',
        kind: 'text',
        required: true,
        placeholder: 'AC…',
        hint: 'AC and 32 hex digits, from the Twilio Console',
      },
      { key: 'auth_token', label: 'Auth token', kind: 'secret', required: true, hint: 'Shown under the Account SID' },
      {
        key: 'from',
        label: 'From',
        kind: 'text',
        required: true,
        placeholder: '+15005550006 or MG…',
        hint: 'A Twilio number in E.164 form, or a Messaging Service SID',
      },
      { key: 'to', label: 'To', kind: 'text', required: true, placeholder: '+15551234567', hint: 'E.164: + and the country code' },
    ],
  },
] as const satisfies readonly ChannelTypeSpec[]

type MissingType = Exclude<ChannelType, (typeof CHANNEL_TYPES)[number]['value']>
const everyTypeListed: [MissingType] extends [never] ? true : MissingType = true
void everyTypeListed

export function channelTypeSpec(type: ChannelType): ChannelTypeSpec {
  return CHANNEL_TYPES.find((t) => t.value === type) ?? CHANNEL_TYPES[0]
}

export function channelTypeLabel(type: ChannelType): string {
  return CHANNEL_TYPES.find((t) => t.value === type)?.label ?? type
}

export interface ChannelFormValues {
  name: string
  type: ChannelType
  isDefault: boolean
  /** Every setting as its input holds it, by config key (a type change keeps them). */
  config: Record<string, string>
}

/** Field errors by "name", "type", "isDefault" or "config.<key>". */
export type ChannelFieldErrors = Record<string, string[]>

export function emptyChannelForm(): ChannelFormValues {
  // Every setting of every type, empty: a select shows "Not set", not nothing.
  const config = Object.fromEntries(CHANNEL_TYPES.flatMap((t) => t.fields.map((f) => [f.key, ''])))
  return { name: '', type: 'webhook', isDefault: false, config }
}

type Config = Record<string, unknown>

function configOf(ch: Channel): Config {
  return (ch.config ?? {}) as Config
}

/**
 * Whether the channel has a stored value for a write-only key: the API says
 * `<key>_set`, or (headers) returns the key with its values hidden.
 */
export function secretIsSet(ch: Channel | null | undefined, key: string): boolean {
  if (!ch) return false
  const cfg = configOf(ch)
  const v = cfg[key]
  return cfg[`${key}_set`] === true || (!!v && typeof v === 'object' && Object.keys(v).length > 0)
}

/** The names of a webhook's stored headers, when the API says them (their values it never does). */
export function storedHeaderNames(ch: Channel | null | undefined): string[] {
  const v = ch ? configOf(ch).headers : undefined
  return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []
}

/**
 * Where a URL sends, as the API compares it: scheme, host and port, so a new path on
 * the same server is no move. Text that is not a URL counts whole.
 */
export function urlOrigin(raw: string): string {
  const text = raw.trim()
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(text)
  const host = m ? m[2]!.slice(m[2]!.lastIndexOf('@') + 1) : ''
  return m && host ? `${m[1]}://${host}`.toLowerCase() : text
}

/**
 * The destination key when the form moves a stored channel to another server, else
 * null. Its stored secrets then stay behind: the API never sends them to a new address
 * (an editor never sees them, and could otherwise have them delivered to a host of
 * their own), so they must be typed again.
 */
export function movedDestination(v: ChannelFormValues, original: Channel | null | undefined): string | null {
  const key = channelTypeSpec(v.type).destination
  if (!original || !key) return null
  const before = configOf(original)[key]
  return urlOrigin(typeof before === 'string' ? before : '') === urlOrigin(v.config[key] ?? '') ? null : key
}

/** Whether a write-only setting left blank keeps its stored value: there is one, and the channel stays on its server. */
export function keepsStored(field: ChannelFieldSpec, v: ChannelFormValues, original: Channel | null | undefined): boolean {
  return secretIsSet(original, field.key) && movedDestination(v, original) === null
}

/** Keys whose stored value the form never shows nor sends back: secrets, and anything the API reports as `<key>_set`. */
export function isWriteOnly(field: ChannelFieldSpec, original?: Channel | null): boolean {
  return field.kind === 'secret' || field.writeOnly === true || (!!original && configOf(original)[`${field.key}_set`] === true)
}

export function channelFormFromChannel(ch: Channel): ChannelFormValues {
  const cfg = configOf(ch)
  const config: Record<string, string> = {}
  for (const f of channelTypeSpec(ch.type).fields) {
    if (isWriteOnly(f, ch)) {
      config[f.key] = ''
      continue
    }
    const v = cfg[f.key]
    if (f.kind === 'addresses') config[f.key] = Array.isArray(v) ? v.map(String).join(', ') : String(v ?? '')
    else config[f.key] = v === undefined || v === null || typeof v === 'object' ? '' : String(v)
    // A select shows only its choices: anything else (ntfy's priority 0) is "Not set".
    if (f.options && !f.options.some((o) => o.value === config[f.key])) config[f.key] = ''
  }
  return { name: ch.name, type: ch.type, isDefault: ch.is_default, config }
}

/**
 * The form's values for another type. Settings are shared by key across types (a URL
 * typed for one stays for the next), but a select's value is only kept when the new
 * type offers it: Gotify's priority 8 means nothing to Pushover, Opsgenie or ntfy, and
 * would otherwise be sent unseen behind a select that shows nothing.
 */
export function switchChannelType(v: ChannelFormValues, type: ChannelType): ChannelFormValues {
  const config = { ...v.config }
  for (const f of channelTypeSpec(type).fields) {
    if (f.options && !f.options.some((o) => o.value === config[f.key])) config[f.key] = ''
  }
  return { ...v, type, config }
}

export function parseAddresses(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean))]
}

/**
 * The config the form's values make for their type: only that type's keys, a secret
 * only when something was typed for it, optional settings left out when empty.
 */
function buildConfig(v: ChannelFormValues, original: Channel | null, errors: ChannelFieldErrors): Config {
  const config: Config = {}
  const moved = movedDestination(v, original)
  for (const f of channelTypeSpec(v.type).fields) {
    const raw = String(v.config[f.key] ?? '')
    const text = raw.trim()
    const missing = () => {
      if (f.required) errors[`config.${f.key}`] = ['is required']
    }
    if (isWriteOnly(f, original)) {
      if (f.kind === 'headers' && text) {
        const { headers, error } = parseHeaders(raw)
        if (error) errors[`config.${f.key}`] = [error]
        config[f.key] = headers
      } else if (text) config[f.key] = text
      else if (moved && secretIsSet(original, f.key)) {
        // The stored one is not sent to the new server: typed again, or (optional) removed.
        if (f.required) errors[`config.${f.key}`] = ['must be typed again: the stored one is never sent to a new server']
        else config[f.key] = f.kind === 'headers' ? {} : ''
      }
      // Left blank: the stored one stays (edit), or there is none (add).
      else if (!secretIsSet(original, f.key)) missing()
      continue
    }
    switch (f.kind) {
      case 'select':
        // Only one of its choices: anything else was chosen for another type.
        if (text && f.options?.some((o) => o.value === text)) config[f.key] = f.numeric ? Number(text) : text
        else missing()
        break
      case 'addresses': {
        const list = parseAddresses(raw)
        if (list.length) config[f.key] = list
        else missing()
        break
      }
      default:
        if (text) config[f.key] = f.numeric ? Number(text) : text
        else missing()
    }
  }
  return config
}

/**
 * The create body, or the patch body of what changed, from the form; or the errors
 * the form can tell by itself. A patch's config is whole (the API replaces it) except
 * for secrets, which are sent only when typed; it is left out when nothing in it changed.
 */
export function buildChannelRequest(
  v: ChannelFormValues,
  original?: Channel | null,
): { body: ChannelCreate | ChannelPatch; errors: ChannelFieldErrors } {
  const errors: ChannelFieldErrors = {}
  const name = v.name.trim()
  if (!name) errors.name = ['is required']
  const config = buildConfig(v, original ?? null, errors)
  if (!original) {
    const body: ChannelCreate = { name, type: v.type, config: config as ChannelCreate['config'] }
    if (v.isDefault) body.is_default = true
    return { body, errors }
  }
  const patch: ChannelPatch = {}
  if (name !== original.name) patch.name = name
  if (v.isDefault !== original.is_default) patch.is_default = v.isDefault
  const before = buildConfig(channelFormFromChannel(original), original, {})
  if (JSON.stringify(config) !== JSON.stringify(before)) patch.config = config as ChannelPatch['config']
  return { body: patch, errors }
}

/**
 * Sorts the API's field errors: "config.url" (or "config.to[1]", "config.headers.X-A")
 * under that setting when the type has it, name, type and is_default under theirs, and
 * the rest to the top of the form.
 */
export function placeChannelErrors(
  fields: readonly FieldError[],
  type: ChannelType,
): { byField: ChannelFieldErrors; other: string[] } {
  const keys = new Set(channelTypeSpec(type).fields.map((f) => f.key))
  const byField: ChannelFieldErrors = {}
  const other: string[] = []
  const put = (key: string, message: string) => (byField[key] = [...(byField[key] ?? []), message])
  for (const f of fields) {
    const config = /^config\.([^.[]+)/.exec(f.field)
    if (config && keys.has(config[1]!)) put(`config.${config[1]}`, f.message)
    else if (f.field === 'name' || f.field === 'type') put(f.field, f.message)
    else if (f.field === 'is_default') put('isDefault', f.message)
    else other.push(f.field && f.field !== 'body' ? `${f.field}: ${f.message}` : f.message)
  }
  return { byField, other }
}

/** Where a channel sends, in a few words, for the list ("https://…/hook", "ops@example.com"). */
export function channelSummary(ch: Channel): string {
  const cfg = configOf(ch)
  const str = (k: string) => (typeof cfg[k] === 'string' || typeof cfg[k] === 'number' ? String(cfg[k]) : '')
  switch (ch.type) {
    case 'webhook':
      return str('url') || (secretIsSet(ch, 'url') ? 'URL set' : '')
    case 'email':
      return Array.isArray(cfg.to) ? cfg.to.map(String).join(', ') : ''
    case 'telegram':
      return str('chat_id') ? `chat ${str('chat_id')}` : ''
    case 'ntfy': {
      const server = (str('url') || 'https://ntfy.sh').replace(/\/+$/, '')
      return str('topic') ? `${server}/${str('topic')}` : server
    }
    case 'pagerduty':
      return str('severity') ? `severity ${str('severity')}` : 'Events API v2'
    case 'matrix':
      return str('room_id') ? `room ${str('room_id')}` : str('homeserver_url')
    case 'mattermost':
    case 'rocketchat':
      // The channel when it overrides the webhook's; the URL itself is a secret.
      return str('channel') ? `channel ${str('channel')}` : secretIsSet(ch, 'url') ? 'Webhook URL set' : ''
    case 'gotify':
      return str('server_url')
    case 'pushover':
      return str('device') ? `device ${str('device')}` : 'all devices'
    case 'opsgenie':
      return [str('region') === 'eu' ? 'EU' : 'US', str('priority')].filter(Boolean).join(', ')
    case 'zulip': {
      const where = str('stream') ? `#${str('stream')}${str('topic') ? ` > ${str('topic')}` : ''}` : ''
      return [str('site').replace(/\/+$/, ''), where].filter(Boolean).join(' ')
    }
    case 'twilio':
      return str('to') ? `SMS to ${str('to')}` : ''
    default:
      return secretIsSet(ch, 'url') ? 'Webhook URL set' : ''
  }
}
