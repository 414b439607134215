import { describe, expect, it } from 'vitest'
import type { Channel, ChannelType } from '../../src/api/types'
import {
  CHANNEL_TYPES,
  buildChannelRequest,
  channelFormFromChannel,
  channelSummary,
  emptyChannelForm,
  placeChannelErrors,
  secretIsSet,
  storedHeaderNames,
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
