// Package config reads the bot's config.toml: the WeCom app, the callback endpoint, storage and logging.
//
// A string value written "env:NAME" is read from the environment variable NAME, so secrets stay out of files.
// Unknown keys are errors (a misspelt key silently ignored is a misconfiguration nobody sees), and every
// validation error names the key and what to do.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/wecombot/wecombot/bot/i18n"
)

// Config is the whole file.
type Config struct {
	WeCom     WeCom     `toml:"wecom"`
	Callback  Callback  `toml:"callback"`
	Store     Store     `toml:"store"`
	Log       Log       `toml:"log"`
	Access    Access    `toml:"access"`
	Audit     Audit     `toml:"audit"`
	Replies   Replies   `toml:"replies"`
	Approvals Approvals `toml:"approvals"`
	Alerts    Alerts    `toml:"alerts"`
	Emulator  Emulator  `toml:"emulator"`

	Replication Replication `toml:"replication"` // see replication.go
	Metrics     Metrics     `toml:"metrics"`     // Prometheus /metrics on a listener of its own (metrics.go)
	Menu        Menu        `toml:"menu"`        // the app's menu, set by wecombot menu sync (menu.go)
	// Policies hold commands for a second person's approval (four eyes), by command path (policies.go).
	Policies map[string]Policy `toml:"policies"`
	Console  Console           `toml:"console"` // the web console (console.go)
}

// Approvals configures the advanced-feature account approval flow.
type Approvals struct {
	// Approvers receive the approval card for every application (userids, "tag:NAME", "dept:ID"); they decide
	// with the card's buttons or /order approve|reject, which also need the order.approve permission.
	Approvers []string `toml:"approvers"`
	// ByType overrides Approvers per business type: mail, docs, drive, meetings.
	ByType map[string][]string `toml:"by_type"`
	// RemindAfter reminds the approvers of an application still undecided after this long; "0" never.
	RemindAfter Duration `toml:"remind_after"`
	// URL is the page WeCom links from the application ("approval_url") and the cards link to; {apply_id} is
	// replaced. Default: callback.public_url's origin + "/approvals/{apply_id}", the page the bot serves. One of
	// the two is required when approvers are configured.
	URL string `toml:"url"`
}

// Alerts configures security alerts: watchers poll WeCom's security logs and push what the rules match to
// teams, grouped into digests.
type Alerts struct {
	// Interval is how often the watchers poll; default "1m". "0" turns the watchers off.
	Interval Duration `toml:"interval"`
	// Window groups alerts for one team into one digest message; default "1m".
	Window Duration `toml:"window"`
	// DomainIPTeam receives the difference when WeCom reports a domain/IP change (the security event).
	DomainIPTeam string `toml:"domain_ip_team"`
	// ContactTeam is told when an address-book change (change_contact) grants or takes a role: a member added to
	// or removed from a tag or department that roles name, or an admin deleted; default domain_ip_team.
	ContactTeam string          `toml:"contact_team"`
	Teams       map[string]Team `toml:"teams"`
	Rules       []Rule          `toml:"rules"`
}

// Team is who receives alerts: members (userids, "tag:NAME", "dept:ID") and/or an app group chat created
// by this app (appchat).
type Team struct {
	Members []string `toml:"members"`
	Chat    string   `toml:"chat"`
	// Escalation: a digest nobody acknowledged is sent again to the team after RemindAfter, then to each
	// tier's members in turn (each another RemindAfter later), and with WarRoom a group chat of the team and
	// every tier is created after the last tier, with the alert's timeline. An Ack anywhere stops it. 0: none.
	RemindAfter Duration   `toml:"remind_after"`
	Tiers       [][]string `toml:"tiers"`
	WarRoom     bool       `toml:"war_room"`
}

// Rule chooses records that alert.
type Rule struct {
	Name string `toml:"name"`
	// Source is member_oper_log, admin_oper_log, file_oper_record or devices.
	Source string `toml:"source"`
	// OperTypes match member/admin log oper_type values; empty matches all.
	OperTypes []int `toml:"oper_types"`
	// FileOps and FileSources match file record operation.type and operation.source; empty matches all.
	FileOps     []int `toml:"file_ops"`
	FileSources []int `toml:"file_sources"`
	// DeviceStatus matches devices by status (3 and 4 await the admin's confirmation).
	DeviceStatus []int `toml:"device_status"`
	// Severity is info, warning or critical.
	Severity string `toml:"severity"`
	Team     string `toml:"team"`
}

// Access says who may run what. Deny by default: a member in no role runs only the public commands.
type Access struct {
	// Admins may run every command. Members are userids, "tag:NAME" or "dept:ID" (sub-departments included).
	Admins []string `toml:"admins"`
	// Roles grant permission patterns ("order.*", "audit.read") to members.
	Roles map[string]Role `toml:"roles"`
	// CacheTTL is how long a member's resolved roles are kept; default 5m.
	CacheTTL Duration `toml:"cache_ttl"`
}

// Role is one named role.
type Role struct {
	Members     []string `toml:"members"`
	Permissions []string `toml:"permissions"`
}

// Audit configures the audit trail.
type Audit struct {
	// Key, when set, makes the audit hash chain an HMAC chain: without the key nobody can rewrite the trail and
	// recompute the chain. Write it as "env:AUDIT_KEY".
	Key string `toml:"key" secret:"true"`
}

// Replies configures how answers are sent.
type Replies struct {
	// Format is "markdown" (WeCom app) or "text" (for members who read the bot through the WeChat plugin,
	// which does not show markdown messages).
	Format string `toml:"format"`
	// Timezone is the IANA zone times are read and shown in; default "Asia/Shanghai".
	Timezone string `toml:"timezone"`
	// Language is what members read until they choose with /lang: "zh" (default) or "en".
	Language string `toml:"language"`
}

// Lang returns the replies' default language (validated by Parse).
func (r Replies) Lang() i18n.Lang {
	if l, ok := i18n.Parse(r.Language); ok {
		return l
	}
	return i18n.Zh
}

// Location returns the replies' time zone (validated by Parse).
func (r Replies) Location() *time.Location {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// WeCom is the self-built app the bot runs as.
type WeCom struct {
	CorpID  string `toml:"corp_id"`
	AgentID int    `toml:"agent_id"`
	Secret  string `toml:"secret" secret:"true"`
	APIBase string `toml:"api_base"`
	// AuthorizeURL and WebLoginURL are WeCom's sign-in pages (OAuth inside WeCom; web login in a browser).
	// Leave them unset; only `wecombot emulator` setups point them at the emulator's.
	AuthorizeURL string `toml:"authorize_url"`
	WebLoginURL  string `toml:"web_login_url"`
}

// Callback is the URL WeCom posts app messages and events to (应用 → 接收消息 → 设置API接收).
type Callback struct {
	Listen         string   `toml:"listen"`
	Path           string   `toml:"path"`
	Token          string   `toml:"token" secret:"true"`
	EncodingAESKey string   `toml:"encoding_aes_key" secret:"true"`
	MaxSkew        Duration `toml:"max_skew"`
	// PublicURL is the callback URL as WeCom reaches it. Its origin is where the approval page is linked from;
	// required with approvals unless approvals.url is set.
	PublicURL string `toml:"public_url"`
	// PreviousToken and PreviousEncodingAESKey are accepted as well as the current pair until PreviousUntil
	// (RFC 3339), for rotating them without losing callbacks signed with the old pair (docs/deploy.md).
	PreviousToken          string `toml:"previous_token" secret:"true"`
	PreviousEncodingAESKey string `toml:"previous_encoding_aes_key" secret:"true"`
	PreviousUntil          string `toml:"previous_until"`
}

// PreviousUntilTime is callback.previous_until parsed (validated by Parse); zero when unset.
func (c Callback) PreviousUntilTime() time.Time {
	t, _ := time.Parse(time.RFC3339, c.PreviousUntil)
	return t
}

// Store is the SQLite database.
type Store struct {
	Path           string   `toml:"path"`
	InboxRetention Duration `toml:"inbox_retention"`
}

// Log configures logging.
type Log struct {
	Format string `toml:"format"` // "text" or "json"
	Level  string `toml:"level"`  // "debug", "info", "warn", "error"
}

// Emulator configures `wecombot emulator`.
type Emulator struct {
	TokenTTL Duration `toml:"token_ttl"`
}

// Duration is a time.Duration written as a Go duration string ("10m", "168h"); "0" is zero.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it like \"10m\", \"2h\" or \"0\")", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Defaults.
const (
	DefaultAPIBase        = "https://qyapi.weixin.qq.com"
	DefaultCallbackPath   = "/wecom/callback"
	DefaultMaxSkew        = 10 * time.Minute
	DefaultInboxRetention = 7 * 24 * time.Hour
	DefaultTokenTTL       = 7200 * time.Second
)

// Load reads and validates the file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(string(b), os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse parses and validates a config document; lookupEnv resolves "env:NAME" values.
func Parse(doc string, lookupEnv func(string) (string, bool)) (*Config, error) {
	c := &Config{
		WeCom:     WeCom{APIBase: DefaultAPIBase},
		Callback:  Callback{Path: DefaultCallbackPath, MaxSkew: Duration{DefaultMaxSkew}},
		Store:     Store{InboxRetention: Duration{DefaultInboxRetention}},
		Log:       Log{Format: "text", Level: "info"},
		Access:    Access{CacheTTL: Duration{5 * time.Minute}},
		Replies:   Replies{Format: "markdown", Timezone: "Asia/Shanghai", Language: "zh"},
		Approvals: Approvals{RemindAfter: Duration{4 * time.Hour}},
		Alerts:    Alerts{Interval: Duration{time.Minute}, Window: Duration{time.Minute}},
		Emulator:  Emulator{TokenTTL: Duration{DefaultTokenTTL}},
	}
	md, err := toml.Decode(doc, c)
	if err != nil {
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("unknown key(s): %s", strings.Join(withSuggestions(keys), ", "))
	}
	if err := resolveEnv(reflect.ValueOf(c).Elem(), "", lookupEnv); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveEnv replaces "env:NAME" in every string field, naming the key when the variable is unset.
func resolveEnv(v reflect.Value, prefix string, lookupEnv func(string) (string, bool)) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("toml"), ",")[0]
		if prefix != "" {
			key = prefix + "." + key
		}
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration{}):
			if err := resolveEnv(fv, key, lookupEnv); err != nil {
				return err
			}
		case fv.Kind() == reflect.String:
			s := fv.String()
			name, ok := strings.CutPrefix(s, "env:")
			if !ok {
				continue
			}
			if name == "" {
				return fmt.Errorf("%s: \"env:\" needs a variable name, like \"env:WECOM_SECRET\"", key)
			}
			val, ok := lookupEnv(name)
			if !ok {
				return fmt.Errorf("%s: environment variable %s is not set", key, name)
			}
			fv.SetString(val)
		}
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.WeCom.CorpID == "" {
		bad("wecom.corp_id is required (我的企业 → 企业信息 → 企业ID, like \"ww0123456789abcdef\")")
	}
	if c.WeCom.AgentID <= 0 {
		bad("wecom.agent_id is required: the app's AgentId, a positive number like 1000002")
	}
	if c.WeCom.Secret == "" {
		bad("wecom.secret is required (write it as \"env:WECOM_SECRET\" and set the variable)")
	}
	if u, err := url.Parse(c.WeCom.APIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("wecom.api_base must be an absolute http(s) URL, got %q", c.WeCom.APIBase)
	}
	if _, _, err := net.SplitHostPort(c.Callback.Listen); err != nil {
		bad("callback.listen must be host:port, like \"127.0.0.1:8080\" or \":8080\", got %q", c.Callback.Listen)
	}
	if !strings.HasPrefix(c.Callback.Path, "/") {
		bad("callback.path must start with \"/\", got %q", c.Callback.Path)
	}
	if n := len(c.Callback.Token); n == 0 || n > 32 || !isAlnum(c.Callback.Token) {
		bad("callback.token must be 1 to 32 letters or digits (the Token set in 接收消息 → 设置API接收), got %d characters", n)
	}
	if n := len(c.Callback.EncodingAESKey); n != 43 {
		bad("callback.encoding_aes_key must be 43 characters, got %d", n)
	} else if !isAlnum(c.Callback.EncodingAESKey) {
		bad("callback.encoding_aes_key must be letters and digits only")
	}
	if p := c.Callback; p.PreviousToken != "" || p.PreviousEncodingAESKey != "" || p.PreviousUntil != "" {
		switch _, err := time.Parse(time.RFC3339, p.PreviousUntil); {
		case p.PreviousToken == "" || p.PreviousEncodingAESKey == "" || p.PreviousUntil == "":
			bad("callback.previous_token, previous_encoding_aes_key and previous_until go together (the pair used before a rotation, and when to stop accepting it)")
		case err != nil:
			bad("callback.previous_until must be an RFC 3339 time, like \"2026-12-10T09:00:00+08:00\", got %q", p.PreviousUntil)
		case len(p.PreviousToken) > 32 || !isAlnum(p.PreviousToken):
			bad("callback.previous_token must be 1 to 32 letters or digits")
		case len(p.PreviousEncodingAESKey) != 43 || !isAlnum(p.PreviousEncodingAESKey):
			bad("callback.previous_encoding_aes_key must be 43 letters or digits")
		}
	}
	if c.Callback.MaxSkew.Duration < 0 {
		bad("callback.max_skew must not be negative (\"0\" turns the check off)")
	}
	if c.Store.Path == "" {
		bad("store.path is required: the SQLite database file, like \"bot.db\"")
	}
	if c.Store.InboxRetention.Duration < time.Hour {
		bad("store.inbox_retention must be at least 1h (it is the dedupe horizon), got %s", c.Store.InboxRetention)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format must be \"text\" or \"json\", got %q", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if n := len(c.Audit.Key); n > 0 && n < 16 {
		bad("audit.key is %d bytes; use at least 16 random bytes (for example `openssl rand -base64 32`)", n)
	}
	if c.Replies.Format != "markdown" && c.Replies.Format != "text" {
		bad("replies.format must be \"markdown\" or \"text\", got %q", c.Replies.Format)
	}
	if _, ok := i18n.Parse(c.Replies.Language); !ok {
		bad("replies.language must be \"zh\" or \"en\", got %q", c.Replies.Language)
	}
	if _, err := time.LoadLocation(c.Replies.Timezone); err != nil || c.Replies.Timezone == "" {
		bad("replies.timezone must be an IANA zone like \"Asia/Shanghai\", got %q", c.Replies.Timezone)
	}
	if c.Access.CacheTTL.Duration < 0 {
		bad("access.cache_ttl must not be negative")
	}
	if p := c.Callback.PublicURL; p != "" && !isHTTPURL(p) {
		bad("callback.public_url must be an absolute http(s) URL, the callback URL as WeCom reaches it, like \"https://bot.example.com/wecom/callback\"; got %q", p)
	}
	if u := c.Approvals.URL; u != "" {
		switch {
		case !isHTTPURL(strings.ReplaceAll(u, "{apply_id}", "x")):
			bad("approvals.url must be an absolute http(s) URL, like \"https://bot.example.com/approvals/{apply_id}\"; got %q", u)
		case !strings.Contains(u, "{apply_id}"):
			bad("approvals.url must contain {apply_id}, where each application's id goes, like \"https://bot.example.com/approvals/{apply_id}\"; got %q", u)
		}
	}
	// A card or WeCom's own view of an application links to its page; with no address for it the link would
	// lead nowhere, so approvals need one.
	if (len(c.Approvals.Approvers) > 0 || len(c.Approvals.ByType) > 0) && c.Approvals.URL == "" && c.Callback.PublicURL == "" {
		bad("approvals: the cards and WeCom link to the approval page, so set callback.public_url (the callback URL as WeCom reaches it, " +
			"like \"https://bot.example.com/wecom/callback\"; the bot serves the page at that origin's /approvals/{apply_id}), " +
			"or set approvals.url to the page's address with {apply_id} in it")
	}
	for typ := range c.Approvals.ByType {
		switch typ {
		case "mail", "docs", "drive", "meetings":
		default:
			bad("approvals.by_type.%s: business types are mail, docs, drive and meetings", typ)
		}
	}
	if c.Alerts.Window.Duration < 0 || c.Alerts.Interval.Duration < 0 {
		bad("alerts.interval and alerts.window must not be negative")
	}
	if t := c.Alerts.ContactTeam; t != "" {
		if _, ok := c.Alerts.Teams[t]; !ok {
			bad("alerts.contact_team: no team %q in [alerts.teams]", t)
		}
	}
	if t := c.Alerts.DomainIPTeam; t != "" {
		if _, ok := c.Alerts.Teams[t]; !ok {
			bad("alerts.domain_ip_team: no team %q in [alerts.teams]", t)
		}
	}
	for name, t := range c.Alerts.Teams {
		if len(t.Members) == 0 && t.Chat == "" {
			bad("alerts.teams.%s: give members, a chat, or both", name)
		}
		if d := t.RemindAfter.Duration; d != 0 && (d < time.Minute || d > 24*time.Hour) {
			bad("alerts.teams.%s.remind_after must be between 1m and 24h, got %s", name, t.RemindAfter)
		}
		if (len(t.Tiers) > 0 || t.WarRoom) && t.RemindAfter.Duration == 0 {
			bad("alerts.teams.%s: tiers and war_room climb after remind_after; set it (like \"15m\")", name)
		}
		if len(t.Tiers) > 5 {
			bad("alerts.teams.%s.tiers: %d tiers; at most 5", name, len(t.Tiers))
		}
		for i, tier := range t.Tiers {
			if len(tier) == 0 {
				bad("alerts.teams.%s.tiers[%d] is empty", name, i)
			}
		}
	}
	for i, r := range c.Alerts.Rules {
		where := fmt.Sprintf("alerts.rules[%d] (%s)", i, r.Name)
		if r.Name == "" {
			bad("alerts.rules[%d]: name is required", i)
		}
		switch r.Source {
		case "member_oper_log", "admin_oper_log", "file_oper_record", "devices":
		default:
			bad("%s: source must be member_oper_log, admin_oper_log, file_oper_record or devices, got %q", where, r.Source)
		}
		switch r.Severity {
		case "info", "warning", "critical":
		default:
			bad("%s: severity must be info, warning or critical, got %q", where, r.Severity)
		}
		if _, ok := c.Alerts.Teams[r.Team]; !ok {
			bad("%s: no team %q in [alerts.teams]", where, r.Team)
		}
	}
	errs = append(errs, c.Metrics.validate(c.Callback.Listen)...)
	errs = append(errs, c.Menu.validate()...)
	errs = append(errs, validatePolicies(c.Policies)...)
	errs = append(errs, c.Console.validate()...)
	for _, u := range []struct{ key, v string }{{"wecom.authorize_url", c.WeCom.AuthorizeURL}, {"wecom.web_login_url", c.WeCom.WebLoginURL}} {
		if u.v != "" && !isHTTPURL(u.v) {
			bad("%s must be an absolute http(s) URL, got %q", u.key, u.v)
		}
	}
	if c.Emulator.TokenTTL.Duration < time.Second {
		bad("emulator.token_ttl must be at least 1s, got %s", c.Emulator.TokenTTL)
	}
	errs = append(errs, c.Replication.validate()...)
	return errors.Join(errs...)
}

// isHTTPURL reports whether s is an absolute http(s) URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// CallbackURL is where the emulator delivers callbacks: http://<listen><path>, with an unspecified host
// replaced by loopback.
func (c *Config) CallbackURL() string {
	host, port, _ := net.SplitHostPort(c.Callback.Listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + c.Callback.Path
}

// APIListen is the host:port of wecom.api_base, where `wecombot emulator` listens.
func (c *Config) APIListen() (string, error) {
	u, err := url.Parse(c.WeCom.APIBase)
	if err != nil {
		return "", err
	}
	if u.Port() == "" {
		return "", fmt.Errorf("wecom.api_base %q has no port; the emulator listens on it, so write it like \"http://127.0.0.1:8081\"", c.WeCom.APIBase)
	}
	return u.Host, nil
}

// withSuggestions adds "(did you mean x?)" to each unknown key whose last part is a small typo of a key the
// config has ("log.levl" → log.level).
func withSuggestions(keys []string) []string {
	names := map[string]bool{}
	seen := map[reflect.Type]bool{} // types may nest themselves (a menu button's sub buttons)
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeOf(Duration{}) || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag != "" && tag != "-" {
				names[tag] = true
				walk(t.Field(i).Type)
			}
		}
	}
	walk(reflect.TypeOf(Config{}))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		parent, last := "", k
		if j := strings.LastIndex(k, "."); j >= 0 {
			parent, last = k[:j+1], k[j+1:]
		}
		best, bestD := "", 3
		for n := range names {
			if d := editDistance(last, n); d < bestD || d == bestD && n < best {
				best, bestD = n, d
			}
		}
		if best != "" && bestD <= 2 && best != last {
			out[i] = fmt.Sprintf("%s (did you mean %s%s?)", k, parent, best)
		}
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes (keys are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
