package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/outbox"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Channel is a notification channel. Secret settings (a webhook's secret and header
// values, Slack, Discord, Teams, Mattermost, Rocket.Chat and Google Chat URLs, tokens,
// routing and API keys) are write-only: they are never returned; <key>_set says whether
// one is stored.
type Channel struct {
	ID   int64  `json:"id" validate:"required" example:"1"`
	Name string `json:"name" validate:"required" example:"ops-webhook"`
	Type string `json:"type" validate:"required" enums:"webhook,slack,discord,email,telegram,ntfy,teams,pagerduty,matrix,mattermost,rocketchat,googlechat,gotify,pushover,opsgenie,zulip,twilio" example:"webhook"`
	// Config is the type's settings as ChannelCreate lists them, each secret replaced by
	// <key>_set: webhook {url, secret_set, headers (values "")}; slack, discord, teams,
	// mattermost, rocketchat, googlechat {url_set, …}; telegram {bot_token_set, chat_id};
	// ntfy {url, topic, token_set, priority}; pagerduty {routing_key_set, severity};
	// matrix {homeserver_url, access_token_set, room_id}; gotify {server_url, token_set,
	// priority}; pushover {user_key_set, app_token_set, priority, device, sound}; opsgenie
	// {api_key_set, region, priority}; zulip {site, email, api_key_set, stream, topic};
	// twilio {account_sid, auth_token_set, from, to}.
	Config map[string]any `json:"config" validate:"required"`
	// IsDefault channels are subscribed by new targets that name no channels.
	IsDefault bool      `json:"is_default" validate:"required" example:"false"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
} // @name Channel

// ChannelCreate is the body of POST /channels.
type ChannelCreate struct {
	Name string `json:"name" validate:"required" maxLength:"100" example:"ops-webhook"`
	Type string `json:"type" validate:"required" enums:"webhook,slack,discord,email,telegram,ntfy,teams,pagerduty,matrix,mattermost,rocketchat,googlechat,gotify,pushover,opsgenie,zulip,twilio" example:"webhook"`
	// Config for webhook: {url, secret?, headers?}; slack, discord, teams: {url};
	// email: {to: [addresses]}; telegram: {bot_token, chat_id}; ntfy: {url?, topic,
	// token?, priority?}; pagerduty: {routing_key, severity?}; matrix: {homeserver_url,
	// access_token, room_id}; mattermost: {url, channel?, username?, icon_url?};
	// rocketchat: {url, channel?, username?}; googlechat: {url}; gotify: {server_url,
	// token, priority?}; pushover: {user_key, app_token, priority?, device?, sound?};
	// opsgenie: {api_key, region?, priority?}; zulip: {site, email, api_key, stream,
	// topic?}; twilio: {account_sid, auth_token, from, to}.
	Config    map[string]any `json:"config" validate:"required"`
	IsDefault bool           `json:"is_default,omitempty" example:"false"`
} // @name ChannelCreate

// ChannelPatch is the body of PATCH /channels/{id}. A secret left out of config keeps
// its stored value, unless the config moves the channel to another server; the type
// cannot change.
type ChannelPatch struct {
	Name *string `json:"name,omitempty" maxLength:"100"`
	// Config replaces the settings (keys as in ChannelCreate). A secret left out keeps
	// its stored value, except when the update changes the scheme, host or port of the
	// setting it is sent to (webhook and ntfy url, matrix homeserver_url, gotify
	// server_url, zulip site): then each stored secret must be sent again (422 naming
	// config.<key>).
	Config    *map[string]any `json:"config,omitempty"`
	IsDefault *bool           `json:"is_default,omitempty"`
} // @name ChannelPatch

// ChannelList is every channel, by name.
type ChannelList struct {
	Items []Channel `json:"items" validate:"required"`
} // @name ChannelList

// ChannelTestResult says a test message went through.
type ChannelTestResult struct {
	Delivered bool `json:"delivered" validate:"required" example:"true"`
} // @name ChannelTestResult

func channelOut(ch notify.Channel) (Channel, error) {
	redacted, err := notify.Redact(ch.Type, ch.Config)
	if err != nil {
		return Channel{}, fmt.Errorf("channel %d: %w", ch.ID, err)
	}
	cfg := map[string]any{}
	if err := json.Unmarshal(redacted, &cfg); err != nil {
		return Channel{}, fmt.Errorf("channel %d: read config: %w", ch.ID, err)
	}
	return Channel{ID: ch.ID, Name: ch.Name, Type: ch.Type, Config: cfg, IsDefault: ch.IsDefault,
		CreatedAt: ch.CreatedAt, UpdatedAt: ch.UpdatedAt}, nil
}

func encodeConfig(cfg map[string]any) (json.RawMessage, error) {
	if cfg == nil {
		cfg = map[string]any{}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(cfg); err != nil {
		return nil, badRequest("config", "must be a JSON object")
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// listChannels godoc
//
//	@ID	listChannels
//	@Summary	List notification channels
//	@Description	Every notification channel, by name. Secrets never come back: `<key>_set` says which are set.
//	@Tags		channels
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	ChannelList
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Router		/channels [get]
func (a *api) listChannels(c echo.Context) error {
	chans, err := a.Store.ListChannels(c.Request().Context())
	if err != nil {
		return err
	}
	out := ChannelList{Items: make([]Channel, len(chans))}
	for i, ch := range chans {
		if out.Items[i], err = channelOut(ch); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

// createChannel godoc
//
//	@ID	createChannel
//	@Summary		Create a notification channel
//	@Description	Slack, Discord, Teams and Google Chat URLs must be on the provider's own hosts (Pushover, Opsgenie and Twilio send only to theirs); the URLs of self-hosted services (webhook, ntfy, Matrix, Mattermost, Rocket.Chat, Gotify, Zulip) must pass the same outbound guard as targets (host read as a browser reads it, 127.1 and 0x7f000001 included; port 1-65535). Email needs the server's SMTP_* settings.
//	@Tags			channels
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		ChannelCreate	true	"The channel"
//	@Success		201		{object}	Channel
//	@Header			201		{string}	Location	"/api/v1/channels/{id}"
//	@Failure		400		{object}	Problem	"Malformed body, unknown field or wrong type"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		409		{object}	Problem	"A channel has this name"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule; errors names it (config.<key> for settings)"
//	@Router			/channels [post]
func (a *api) createChannel(c echo.Context) error {
	var body ChannelCreate
	if err := decode(c, &body); err != nil {
		return err
	}
	cfg, err := encodeConfig(body.Config)
	if err != nil {
		return err
	}
	ch := notify.Channel{Name: strings.TrimSpace(body.Name), Type: body.Type, Config: cfg, IsDefault: body.IsDefault}
	if err := ch.Validate(a.Notify); err != nil {
		return err
	}
	created, err := a.Store.CreateChannel(c.Request().Context(), ch)
	if err != nil {
		return err
	}
	out, err := channelOut(created)
	if err != nil {
		return err
	}
	a.recordDiff(c, audit.Create, audit.KindChannel, created.ID, created.Name, nil, out)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/channels/%d", created.ID))
	return c.JSON(http.StatusCreated, out)
}

// getChannel godoc
//
//	@ID	getChannel
//	@Summary	Get a notification channel
//	@Description	One notification channel. Secrets never come back: `<key>_set` says which are set.
//	@Tags		channels
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		int	true	"Channel id"	minimum(1)
//	@Success	200	{object}	Channel
//	@Failure	400	{object}	Problem	"Bad id"
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Failure	404	{object}	Problem	"No such channel"
//	@Router		/channels/{id} [get]
func (a *api) getChannel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ch, err := a.Store.GetChannel(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out, err := channelOut(ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// updateChannel godoc
//
//	@ID	updateChannel
//	@Summary		Update a notification channel
//	@Description	Changes only the fields sent. Secrets left out of config keep their stored values, unless config moves the channel to another server (a new scheme, host or port in webhook or ntfy url, matrix homeserver_url, gotify server_url or zulip site): a stored secret is never sent where it was not typed for, so each must be sent again.
//	@Tags			channels
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		int				true	"Channel id"	minimum(1)
//	@Param			body	body		ChannelPatch	true	"Fields to change"
//	@Success		200		{object}	Channel
//	@Failure		400		{object}	Problem	"Malformed body, unknown field or wrong type"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		404		{object}	Problem	"No such channel"
//	@Failure		409		{object}	Problem	"A channel has this name"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule; errors names it (config.<key> for settings, a stored secret left out when the channel moves to another server among them)"
//	@Router			/channels/{id} [patch]
func (a *api) updateChannel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body ChannelPatch
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ch, before, err := a.channelWithView(ctx, id)
	if err != nil {
		return err
	}
	beforeConfig := ch.Config
	if body.Name != nil {
		ch.Name = strings.TrimSpace(*body.Name)
	}
	if body.IsDefault != nil {
		ch.IsDefault = *body.IsDefault
	}
	if body.Config != nil {
		cfg, err := encodeConfig(*body.Config)
		if err != nil {
			return err
		}
		if ch.Config, err = notify.MergeSecrets(ch.Type, ch.Config, cfg); err != nil {
			return &target.ValidationError{Fields: notify.ConfigFields(err)}
		}
	}
	if err := ch.Validate(a.Notify); err != nil {
		return err
	}
	updated, err := a.Store.UpdateChannel(ctx, ch)
	if err != nil {
		return err
	}
	out, err := channelOut(updated)
	if err != nil {
		return err
	}
	a.recordChannelUpdate(c, before, out, !bytes.Equal(beforeConfig, updated.Config))
	return c.JSON(http.StatusOK, out)
}

// deleteChannel godoc
//
//	@ID	deleteChannel
//	@Summary		Delete a notification channel
//	@Description	Targets stop notifying it; its unsent notifications are dropped.
//	@Tags			channels
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	int	true	"Channel id"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Role below editor"
//	@Failure		404	{object}	Problem	"No such channel"
//	@Router			/channels/{id} [delete]
func (a *api) deleteChannel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ch, before, err := a.channelWithView(ctx, id)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteChannel(ctx, id); err != nil {
		return err
	}
	a.recordDiff(c, audit.Delete, audit.KindChannel, id, ch.Name, before, nil)
	return c.NoContent(http.StatusNoContent)
}

// channelWithView reads channel id and its API view, for a change to audit.
func (a *api) channelWithView(ctx context.Context, id int64) (notify.Channel, Channel, error) {
	ch, err := a.Store.GetChannel(ctx, id)
	if err != nil {
		return notify.Channel{}, Channel{}, err
	}
	view, err := channelOut(ch)
	return ch, view, err
}

// recordChannelUpdate audits a channel change. The views hide secrets, so a new
// secret alone leaves them equal: configChanged records it as a masked change.
func (a *api) recordChannelUpdate(c echo.Context, before, after Channel, configChanged bool) {
	changes, err := audit.Diff(before, after, nil, []string{"updated_at"})
	if err != nil {
		a.Log.Error("audit diff", "kind", audit.KindChannel, "channel_id", after.ID, "err", err)
	}
	if _, seen := changes["config"]; configChanged && !seen && changes != nil {
		changes["config"] = audit.Change{Before: audit.Masked, After: audit.Masked}
	}
	a.record(c, audit.Update, audit.KindChannel, after.ID, after.Name, changes)
}

// testChannel godoc
//
//	@ID	testChannel
//	@Summary		Send a test message
//	@Description	Sends a test message through the channel now (outside the outbox, without retries) and says whether it went through. A refused address is not named, and nothing a private host (one reached only because the operator allows private targets) answered is quoted: only its status code.
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		int	true	"Channel id"	minimum(1)
//	@Success		200	{object}	ChannelTestResult
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Role below editor"
//	@Failure		404	{object}	Problem	"No such channel"
//	@Failure		502	{object}	Problem	"The provider refused the message or could not be reached; detail says why (a private host's answer is not quoted)"
//	@Router			/channels/{id}/test [post]
func (a *api) testChannel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ch, err := a.Store.GetChannel(ctx, id)
	if err != nil {
		return err
	}
	timeout := a.NotifyTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	// A provider that accepts the connection and never answers must not hold the
	// request (or a graceful shutdown) for ever.
	sendCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := outbox.Test(sendCtx, ch, a.Notify, time.Now()); err != nil {
		return &problem{status: http.StatusBadGateway, slug: "channel-test-failed", title: "Test message not delivered",
			detail: err.Error()}
	}
	return c.JSON(http.StatusOK, ChannelTestResult{Delivered: true})
}
