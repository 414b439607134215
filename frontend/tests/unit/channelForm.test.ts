import { describe, expect, it } from 'vitest'
import type { Channel, ChannelType } from '../../src/api/types'
import {
  CHANNEL_TYPES,
  buildChannelRequest,
  channelFormFromChannel,
  channelSummary,
  channelTypeSpec,
  emptyChannelForm,
  keepsStored,
  movedDestination,
  placeChannelErrors,
  secretIsSet,
  storedHeaderNames,
  switchChannelType,
  urlOrigin,
} from '../../src/lib/channelForm'

function channel(type: ChannelType, config: Record<string, unknown>, extra: Partial<Channel> = {}): Channel {
  return {
    id: 4,
    name: 'ops-webhook',
    type,
    config: config as Channel['config'],
    is_default: false,
    created_at: '2026-11-25T00:00:00Z',
    updated_at: '2026-11-25T00:00:00Z',
    ...extra,
  }
}

const form = (type: ChannelType, config: Record<string, string>, name = 'ops') => ({
  ...emptyChannelForm(),
  name,
  type,
  config,
})

describe('channel form: create', () => {
  it('lists every channel type the API has, webhook first', () => {
    expect(CHANNEL_TYPES.map((t) => t.value)).toEqual([
      'webhook',
      'slack',
      'discord',
      'teams',
      'email',
      'telegram',
      'ntfy',
      'pagerduty',
      'matrix',
      'mattermost',
      'rocketchat',
      'googlechat',
      'gotify',
      'pushover',
      'opsgenie',
      'zulip',
      'twilio',
    ])
  })

  it('sends a webhook with its secret and headers only when typed', () => {
    const typed = form('webhook', { url: ' http://127.0.0.1:9/hook ', secret: 's3cret', headers: 'X-Team: ops\n' })
    expect(buildChannelRequest({ ...typed, name: ' ops-webhook ', isDefault: true })).toEqual({
      body: {
        name: 'ops-webhook',
        type: 'webhook',
        is_default: true,
        config: { url: 'http://127.0.0.1:9/hook', secret: 's3cret', headers: { 'X-Team': 'ops' } },
      },
      errors: {},
    })
    // Left empty: not sent at all, and is_default only when ticked.
    expect(buildChannelRequest(form('webhook', { url: 'https://x.example/h', secret: '', headers: '' })).body).toEqual({
      name: 'ops',
      type: 'webhook',
      config: { url: 'https://x.example/h' },
    })
  })

  it('sends only the keys of the chosen type, even after switching types', () => {
    const v = form('telegram', { url: 'https://x.example/h', secret: 'left-from-webhook', bot_token: '123:abc', chat_id: ' -100200 ' })
    expect(buildChannelRequest(v).body).toEqual({
      name: 'ops',
      type: 'telegram',
      config: { bot_token: '123:abc', chat_id: '-100200' },
    })
  })

  it('makes each type its own shape', () => {
    const config = (type: ChannelType, c: Record<string, string>) =>
      (buildChannelRequest(form(type, c)).body as { config: unknown }).config
    expect(config('slack', { url: 'https://hooks.slack.com/services/T/B/X' })).toEqual({ url: 'https://hooks.slack.com/services/T/B/X' })
    expect(config('email', { to: 'ops@example.com, oncall@example.com;ops@example.com' })).toEqual({
      to: ['ops@example.com', 'oncall@example.com'],
    })
    expect(config('ntfy', { url: '', topic: 'alerts', token: '', priority: '4' })).toEqual({ topic: 'alerts', priority: 4 })
    expect(config('ntfy', { topic: 'alerts', priority: '' })).toEqual({ topic: 'alerts' })
    expect(config('pagerduty', { routing_key: 'R0UT1NG', severity: 'warning' })).toEqual({ routing_key: 'R0UT1NG', severity: 'warning' })
    expect(config('teams', { url: 'https://prod.example.logic.azure.com/workflows/1' })).toEqual({
      url: 'https://prod.example.logic.azure.com/workflows/1',
    })
  })

  it('catches what is missing before asking the API', () => {
    expect(buildChannelRequest(form('slack', { url: '  ' }, ' ')).errors).toEqual({
      name: ['is required'],
      'config.url': ['is required'],
    })
    expect(buildChannelRequest(form('telegram', {})).errors).toEqual({
      'config.bot_token': ['is required'],
      'config.chat_id': ['is required'],
    })
    expect(buildChannelRequest(form('webhook', { url: 'https://x.example', headers: 'no colon' })).errors['config.headers']?.[0]).toMatch(
      /line 1/,
    )
  })
})

describe('channel form: edit', () => {
  const hook = channel('webhook', { url: 'https://hooks.example.com/wd', secret_set: true, headers: { 'X-Team': 'ops' } })

  it('fills the form from the channel, secrets and header values blank', () => {
    expect(channelFormFromChannel(hook)).toEqual({
      name: 'ops-webhook',
      type: 'webhook',
      isDefault: false,
      config: { url: 'https://hooks.example.com/wd', secret: '', headers: '' },
    })
    expect(secretIsSet(hook, 'secret')).toBe(true)
    expect(secretIsSet(hook, 'headers')).toBe(true)
    expect(storedHeaderNames(hook)).toEqual(['X-Team'])
    const mail = channelFormFromChannel(channel('email', { to: ['a@example.com', 'b@example.com'] }))
    expect(mail.config).toEqual({ to: 'a@example.com, b@example.com' })
  })

  it('patches only what changed; an untouched form sends nothing', () => {
    expect(buildChannelRequest(channelFormFromChannel(hook), hook)).toEqual({ body: {}, errors: {} })
    const renamed = { ...channelFormFromChannel(hook), name: 'ops-hook', isDefault: true }
    expect(buildChannelRequest(renamed, hook).body).toEqual({ name: 'ops-hook', is_default: true })
  })

  it('keeps a stored secret when left blank: the config goes without it', () => {
    const v = channelFormFromChannel(hook)
    v.config.url = 'https://hooks.example.com/v2'
    expect(buildChannelRequest(v, hook)).toEqual({
      body: { config: { url: 'https://hooks.example.com/v2' } },
      errors: {},
    })
  })

  it('sends a secret typed over the stored one, with the rest of the config', () => {
    const v = channelFormFromChannel(hook)
    v.config.secret = 'n3w'
    v.config.headers = 'X-Team: sre'
    expect(buildChannelRequest(v, hook).body).toEqual({
      config: { url: 'https://hooks.example.com/wd', secret: 'n3w', headers: { 'X-Team': 'sre' } },
    })
  })

  it('does not ask again for a required secret that is stored (url_set)', () => {
    const slack = channel('slack', { url_set: true })
    const v = channelFormFromChannel(slack)
    expect(v.config.url).toBe('')
    expect(buildChannelRequest(v, slack)).toEqual({ body: {}, errors: {} })
    expect(buildChannelRequest({ ...v, config: { url: 'https://hooks.slack.com/services/A/B/C' } }, slack).body).toEqual({
      config: { url: 'https://hooks.slack.com/services/A/B/C' },
    })
    // One never stored is still required.
    const bare = channel('telegram', { chat_id: '42' })
    expect(buildChannelRequest(channelFormFromChannel(bare), bare).errors).toEqual({ 'config.bot_token': ['is required'] })
  })

  it('treats any key the API reports as <key>_set as write-only', () => {
    const secretHeaders = channel('webhook', { url: 'https://h.example/x', secret_set: true, headers_set: true })
    const v = channelFormFromChannel(secretHeaders)
    expect(v.config.headers).toBe('')
    expect(buildChannelRequest(v, secretHeaders).body).toEqual({})
    v.config.url = 'https://h.example/y'
    expect(buildChannelRequest(v, secretHeaders).body).toEqual({ config: { url: 'https://h.example/y' } })
  })
})

describe('channel form: API errors', () => {
  it('puts config.* errors under the setting they name, the rest on top', () => {
    const { byField, other } = placeChannelErrors(
      [
        { field: 'config.url', message: 'must be on hooks.slack.com' },
        { field: 'config.to[1]', message: 'is not an email address' },
        { field: 'config.headers.X-A', message: 'value must be one line' },
        { field: 'name', message: 'is taken' },
        { field: 'config', message: 'must be an object' },
        { field: 'config.colour', message: 'is not a known setting' },
        { field: 'body', message: 'is not valid JSON' },
      ],
      'webhook',
    )
    expect(byField).toEqual({
      'config.url': ['must be on hooks.slack.com'],
      'config.headers': ['value must be one line'],
      name: ['is taken'],
    })
    // "to" is not a webhook setting; "config" as a whole has no input of its own.
    expect(other).toEqual([
      'config.to[1]: is not an email address',
      'config: must be an object',
      'config.colour: is not a known setting',
      'is not valid JSON',
    ])
    expect(placeChannelErrors([{ field: 'config.to[1]', message: 'is not an email address' }], 'email').byField).toEqual({
      'config.to': ['is not an email address'],
    })
  })
})

describe('channel summary', () => {
  it('says where a channel sends without any secret', () => {
    expect(channelSummary(channel('webhook', { url: 'https://h.example/x', secret_set: true }))).toBe('https://h.example/x')
    expect(channelSummary(channel('slack', { url_set: true }))).toBe('Webhook URL set')
    expect(channelSummary(channel('email', { to: ['a@example.com'] }))).toBe('a@example.com')
    expect(channelSummary(channel('ntfy', { topic: 'alerts' }))).toBe('https://ntfy.sh/alerts')
    expect(channelSummary(channel('telegram', { chat_id: '-100', bot_token_set: true }))).toBe('chat -100')
  })
})

// The nine channel types of round three: for each, a form filled in full (what the user
// types, with stray spaces), the config it must make, the optional keys it must leave
// out when empty, and how the API reports the type's stored channel (secrets as
// <key>_set, defaults filled in).
interface NewType {
  type: ChannelType
  typed: Record<string, string>
  config: Record<string, unknown>
  optional: string[]
  secrets: string[]
  stored: Record<string, unknown>
}

const SID = 'AC0123456789abcdef0123456789abcdef'

const NEW_TYPES: NewType[] = [
  {
    type: 'matrix',
    typed: { homeserver_url: ' https://matrix.example.org ', access_token: 'syt_t0ken', room_id: '!room:example.org' },
    config: { homeserver_url: 'https://matrix.example.org', access_token: 'syt_t0ken', room_id: '!room:example.org' },
    optional: [],
    secrets: ['access_token'],
    stored: { homeserver_url: 'https://matrix.example.org', access_token_set: true, room_id: '!room:example.org' },
  },
  {
    type: 'mattermost',
    typed: { url: 'https://mm.example.com/hooks/abc', channel: ' town-square ', username: 'WatchDog', icon_url: 'https://example.com/i.png' },
    config: { url: 'https://mm.example.com/hooks/abc', channel: 'town-square', username: 'WatchDog', icon_url: 'https://example.com/i.png' },
    optional: ['channel', 'username', 'icon_url'],
    secrets: ['url'],
    stored: { url_set: true, channel: 'town-square', username: 'WatchDog', icon_url: 'https://example.com/i.png' },
  },
  {
    type: 'rocketchat',
    typed: { url: 'https://chat.example.com/hooks/x/y', channel: '#alerts', username: 'WatchDog' },
    config: { url: 'https://chat.example.com/hooks/x/y', channel: '#alerts', username: 'WatchDog' },
    optional: ['channel', 'username'],
    secrets: ['url'],
    stored: { url_set: true, channel: '#alerts', username: 'WatchDog' },
  },
  {
    type: 'googlechat',
    typed: { url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t' },
    config: { url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t' },
    optional: [],
    secrets: ['url'],
    stored: { url_set: true },
  },
  {
    type: 'gotify',
    typed: { server_url: 'https://gotify.example.com', token: 'AbCdEf123', priority: '5' },
    config: { server_url: 'https://gotify.example.com', token: 'AbCdEf123', priority: 5 },
    optional: ['priority'],
    secrets: ['token'],
    stored: { server_url: 'https://gotify.example.com', token_set: true, priority: 8 },
  },
  {
    type: 'pushover',
    typed: {
      user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
      app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
      priority: '-1',
      device: 'phone',
      sound: 'siren',
    },
    config: {
      user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
      app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
      priority: -1,
      device: 'phone',
      sound: 'siren',
    },
    optional: ['priority', 'device', 'sound'],
    secrets: ['user_key', 'app_token'],
    stored: { user_key_set: true, app_token_set: true, priority: 0, device: 'phone', sound: 'siren' },
  },
  {
    type: 'opsgenie',
    typed: { api_key: 'eb243592-faa2-4ba2-a551-1afdf565c889', region: 'eu', priority: 'P2' },
    config: { api_key: 'eb243592-faa2-4ba2-a551-1afdf565c889', region: 'eu', priority: 'P2' },
    optional: ['region', 'priority'],
    secrets: ['api_key'],
    stored: { api_key_set: true, region: 'eu', priority: 'P2' },
  },
  {
    type: 'zulip',
    typed: { site: 'https://x.zulipchat.com', email: 'wd-bot@x.zulipchat.com', api_key: 'k3y', stream: 'alerts', topic: 'prod' },
    config: { site: 'https://x.zulipchat.com', email: 'wd-bot@x.zulipchat.com', api_key: 'k3y', stream: 'alerts', topic: 'prod' },
    optional: ['topic'],
    secrets: ['api_key'],
    stored: { site: 'https://x.zulipchat.com', email: 'wd-bot@x.zulipchat.com', api_key_set: true, stream: 'alerts', topic: 'prod' },
  },
  {
    type: 'twilio',
    typed: { account_sid: SID, auth_token: '0123456789abcdef0123456789abcdef', from: '+15005550006', to: '+15551234567' },
    config: { account_sid: SID, auth_token: '0123456789abcdef0123456789abcdef', from: '+15005550006', to: '+15551234567' },
    optional: [],
    secrets: ['auth_token'],
    stored: { account_sid: SID, auth_token_set: true, from: '+15005550006', to: '+15551234567' },
  },
]

describe('channel form: the nine new types', () => {
  const specOf = (type: ChannelType) => CHANNEL_TYPES.find((t) => t.value === type)!

  it('covers every new type, with the config keys the API takes, secrets as passwords', () => {
    expect(NEW_TYPES.map((t) => t.type)).toEqual(CHANNEL_TYPES.map((t) => t.value).slice(8))
    for (const t of NEW_TYPES) {
      const fields: readonly { key: string; kind: string; required?: boolean }[] = specOf(t.type).fields
      expect(fields.map((f) => f.key).sort(), t.type).toEqual(Object.keys(t.config).sort())
      expect(fields.filter((f) => f.kind === 'secret').map((f) => f.key), t.type).toEqual(t.secrets)
      expect(fields.filter((f) => !f.required).map((f) => f.key), t.type).toEqual(t.optional)
    }
  })

  it.each(NEW_TYPES)('$type: creates with every typed value, numbers as numbers', ({ type, typed, config }) => {
    expect(buildChannelRequest({ ...form(type, typed), name: ' alerts ' })).toEqual({
      body: { name: 'alerts', type, config },
      errors: {},
    })
  })

  it.each(NEW_TYPES)('$type: leaves the empty optional keys out, and names each missing required one', ({ type, typed, config, optional }) => {
    const bare = { ...typed, ...Object.fromEntries(optional.map((k) => [k, ''])) }
    const { body, errors } = buildChannelRequest(form(type, bare))
    expect(errors).toEqual({})
    expect((body as { config: Record<string, unknown> }).config).toEqual(
      Object.fromEntries(Object.entries(config).filter(([k]) => !optional.includes(k))),
    )
    const required = Object.keys(config).filter((k) => !optional.includes(k))
    expect(buildChannelRequest(form(type, { ...typed, ...Object.fromEntries(required.map((k) => [k, ' '])) })).errors).toEqual(
      Object.fromEntries(required.map((k) => [`config.${k}`, ['is required']])),
    )
  })

  it.each(NEW_TYPES)('$type: edits with secrets blank, sending them only when typed', ({ type, typed, config, secrets, stored }) => {
    const ch = channel(type, stored)
    const v = channelFormFromChannel(ch)
    for (const k of secrets) {
      expect(v.config[k], k).toBe('')
      expect(secretIsSet(ch, k), k).toBe(true)
    }
    // Untouched: nothing to send, and a stored secret is not asked for again.
    expect(buildChannelRequest(v, ch)).toEqual({ body: {}, errors: {} })
    // A non-secret change sends the whole config without the secrets.
    const plain = Object.keys(config).find((k) => !secrets.includes(k))
    if (plain) {
      // A select's other choice, or the text changed.
      const options = channelTypeSpec(type).fields.find((f) => f.key === plain)?.options
      const other = options ? options.find((o) => o.value && o.value !== typed[plain])!.value : `${typed[plain]!.trim()}2`
      const changed = { ...v, config: { ...v.config, [plain]: other } }
      const sent = (buildChannelRequest(changed, ch).body as { config: Record<string, unknown> }).config
      for (const k of secrets) expect(sent, k).not.toHaveProperty(k)
      expect(sent).toHaveProperty(plain)
    }
    // A typed secret goes with the rest.
    const [secret] = secrets
    const retyped = { ...v, config: { ...v.config, [secret!]: 'n3w-s3cret' } }
    expect((buildChannelRequest(retyped, ch).body as { config: Record<string, unknown> }).config[secret!]).toBe('n3w-s3cret')
  })

  it('keeps numeric priorities numeric on edit, a stored default shown as chosen', () => {
    const gotify = channel('gotify', { server_url: 'https://gotify.example.com', token_set: true, priority: 8 })
    const v = channelFormFromChannel(gotify)
    expect(v.config.priority).toBe('8')
    expect(buildChannelRequest({ ...v, config: { ...v.config, priority: '0' } }, gotify).body).toEqual({
      config: { server_url: 'https://gotify.example.com', priority: 0 },
    })
    const pushover = channel('pushover', { user_key_set: true, app_token_set: true, priority: 0 })
    const p = channelFormFromChannel(pushover)
    expect(p.config.priority).toBe('0')
    expect(buildChannelRequest({ ...p, config: { ...p.config, priority: '1' } }, pushover).body).toEqual({ config: { priority: 1 } })
    // "Not set" on a select leaves the key out for the server's default.
    expect(buildChannelRequest({ ...p, config: { ...p.config, priority: '' } }, pushover).body).toEqual({ config: {} })
  })

  it.each(NEW_TYPES)("$type: puts the API's config.<key> errors under their inputs", ({ type, config }) => {
    const fields = [
      ...Object.keys(config).map((k) => ({ field: `config.${k}`, message: `${k} is wrong` })),
      { field: 'config.bogus', message: 'is not a known setting' },
    ]
    expect(placeChannelErrors(fields, type)).toEqual({
      byField: Object.fromEntries(Object.keys(config).map((k) => [`config.${k}`, [`${k} is wrong`]])),
      other: ['config.bogus: is not a known setting'],
    })
  })

  it('says where each sends, without a secret', () => {
    // A config that holds the secrets' values too, so a summary that showed one would say it.
    const said = NEW_TYPES.map((t) => channelSummary(channel(t.type, { ...t.stored, ...t.config })))
    expect(said).toEqual([
      'room !room:example.org',
      'channel town-square',
      'channel #alerts',
      'Webhook URL set',
      'https://gotify.example.com',
      'device phone',
      'EU, P2',
      'https://x.zulipchat.com #alerts > prod',
      'SMS to +15551234567',
    ])
    for (const [i, t] of NEW_TYPES.entries()) {
      for (const k of t.secrets) {
        expect(String(t.config[k]).length, `${t.type}.${k}`).toBeGreaterThan(2)
        expect(said[i], `${t.type}.${k}`).not.toContain(String(t.config[k]))
      }
    }
    // Stored as the API returns them (only <key>_set), the same words.
    expect(NEW_TYPES.map((t) => channelSummary(channel(t.type, t.stored)))).toEqual(said)
    expect(channelSummary(channel('mattermost', { url_set: true }))).toBe('Webhook URL set')
    expect(channelSummary(channel('opsgenie', { api_key_set: true, region: 'us', priority: 'P3' }))).toBe('US, P3')
    expect(channelSummary(channel('pushover', { user_key_set: true, app_token_set: true }))).toBe('all devices')
  })
})

describe('channel form: a type change', () => {
  it("drops a select's value the new type does not offer, and keeps the ones it does", () => {
    const gotify = { ...form('gotify', { ...emptyChannelForm().config, server_url: 'https://g.example.com', token: 't0k', priority: '8' }) }
    const pushover = switchChannelType(gotify, 'pushover')
    expect(pushover.type).toBe('pushover')
    expect(pushover.config.priority).toBe('')
    // Text settings stay: shared keys are meant to carry over.
    expect(pushover.config.server_url).toBe('https://g.example.com')
    const typed = { ...pushover.config, user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG', app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi' }
    expect((buildChannelRequest({ ...pushover, config: typed }).body as { config: object }).config).toEqual({
      user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
      app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
    })
    for (const type of ['opsgenie', 'ntfy'] as const) expect(switchChannelType(gotify, type).config.priority, type).toBe('')
    // 4 is among ntfy's priorities: kept.
    expect(switchChannelType({ ...gotify, config: { ...gotify.config, priority: '4' } }, 'ntfy').config.priority).toBe('4')
  })

  it('never sends a select value that is not among its choices', () => {
    const v = form('opsgenie', { api_key: 'eb243592-faa2-4ba2-a551-1afdf565c889', region: '', priority: '8' })
    expect((buildChannelRequest(v).body as { config: object }).config).toEqual({ api_key: 'eb243592-faa2-4ba2-a551-1afdf565c889' })
  })
})

describe('channel form: a self-hosted channel moved to another server', () => {
  const AGAIN = ['must be typed again: the stored one is never sent to a new server']
  const gotify = channel('gotify', { server_url: 'https://gotify.example.com', token_set: true, priority: 5 })
  const moveTo = (ch: Channel, key: string, to: string) => {
    const v = channelFormFromChannel(ch)
    return { ...v, config: { ...v.config, [key]: to } }
  }

  it('compares origins as the API does: scheme, host and port, not the path', () => {
    expect(urlOrigin(' https://GOTIFY.example.com/gotify/ ')).toBe('https://gotify.example.com')
    expect(urlOrigin('https://u:p@h.example.com:8443/x?y')).toBe('https://h.example.com:8443')
    expect(urlOrigin('gotify.example.com')).toBe('gotify.example.com')
    expect(urlOrigin('')).toBe('')
  })

  it('asks for a required secret again when the server changes, and sends it when typed', () => {
    for (const to of ['https://evil.example.net', 'http://gotify.example.com', 'https://gotify.example.com:8443']) {
      const v = moveTo(gotify, 'server_url', to)
      expect(movedDestination(v, gotify), to).toBe('server_url')
      expect(keepsStored({ key: 'token', label: 'App token', kind: 'secret' }, v, gotify), to).toBe(false)
      expect(buildChannelRequest(v, gotify).errors, to).toEqual({ 'config.token': AGAIN })
      expect(buildChannelRequest({ ...v, config: { ...v.config, token: 'n3wT0ken' } }, gotify)).toEqual({
        body: { config: { server_url: to, token: 'n3wT0ken', priority: 5 } },
        errors: {},
      })
    }
  })

  it('keeps the stored secret for a new path on the same server', () => {
    const v = moveTo(gotify, 'server_url', 'https://GOTIFY.example.com/gotify/')
    expect(movedDestination(v, gotify)).toBeNull()
    expect(buildChannelRequest(v, gotify)).toEqual({
      body: { config: { server_url: 'https://GOTIFY.example.com/gotify/', priority: 5 } },
      errors: {},
    })
  })

  it('removes optional secrets left empty: a webhook\'s secret and headers, ntfy\'s token', () => {
    const hook = channel('webhook', { url: 'https://h.example.com/x', secret_set: true, headers: { Authorization: '' } })
    const moved = moveTo(hook, 'url', 'https://other.example.com/x')
    expect(buildChannelRequest(moved, hook)).toEqual({
      body: { config: { url: 'https://other.example.com/x', secret: '', headers: {} } },
      errors: {},
    })
    // Typed again, they go as typed.
    expect(
      buildChannelRequest({ ...moved, config: { ...moved.config, secret: 'hush', headers: 'Authorization: Bearer u' } }, hook).body,
    ).toEqual({ config: { url: 'https://other.example.com/x', secret: 'hush', headers: { Authorization: 'Bearer u' } } })
    // Same server, another path: kept, nothing sent for them.
    expect(buildChannelRequest(moveTo(hook, 'url', 'https://h.example.com/y'), hook).body).toEqual({
      config: { url: 'https://h.example.com/y' },
    })
    // ntfy without a server is on ntfy.sh's: naming one moves it.
    const ntfy = channel('ntfy', { topic: 'ops', token_set: true })
    expect(buildChannelRequest(moveTo(ntfy, 'url', 'https://ntfy.example.com'), ntfy).body).toEqual({
      config: { url: 'https://ntfy.example.com', topic: 'ops', token: '' },
    })
  })

  it('covers Matrix and Zulip, and no other type', () => {
    const matrix = channel('matrix', { homeserver_url: 'https://matrix.example.org', access_token_set: true, room_id: '!a:b' })
    expect(buildChannelRequest(moveTo(matrix, 'homeserver_url', 'https://m.example.net'), matrix).errors).toEqual({
      'config.access_token': AGAIN,
    })
    const zulip = channel('zulip', { site: 'https://a.zulipchat.com', email: 'b@a', api_key_set: true, stream: 's' })
    expect(buildChannelRequest(moveTo(zulip, 'site', 'https://b.zulipchat.com'), zulip).errors).toEqual({ 'config.api_key': AGAIN })
    expect(CHANNEL_TYPES.filter((t) => 'destination' in t).map((t) => t.value)).toEqual(['webhook', 'ntfy', 'matrix', 'gotify', 'zulip'])
  })
})

describe('channel form: wording', () => {
  const fieldsOf = (key: string) =>
    CHANNEL_TYPES.flatMap((t) => channelTypeSpec(t.value).fields.filter((f) => f.key === key).map((f) => ({ type: t.value, label: f.label })))

  it('names the server a self-hosted channel sends to the same way in every type', () => {
    const servers = CHANNEL_TYPES.map((t) => channelTypeSpec(t.value))
      .filter((t) => t.destination && t.value !== 'webhook')
      .map((t) => ({ type: t.value, label: t.fields.find((f) => f.key === t.destination)!.label }))
    expect(servers).toEqual(['ntfy', 'matrix', 'gotify', 'zulip'].map((type) => ({ type, label: 'Server URL' })))
  })

  it('gives one setting one label across types', () => {
    for (const key of ['username', 'channel', 'priority']) {
      const labels = new Set(fieldsOf(key).map((f) => f.label))
      expect(labels.size, `${key}: ${[...labels].join(', ')}`).toBe(1)
    }
    expect(fieldsOf('username').map((f) => f.label)).toEqual(['Sender name', 'Sender name'])
  })

  it("says what Pushover's high priority does", () => {
    const priority = channelTypeSpec('pushover').fields.find((f) => f.key === 'priority')!
    expect(priority.options!.find((o) => o.value === '1')!.label).toBe('High — bypasses quiet hours')
  })
})
