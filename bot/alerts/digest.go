package alerts

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

const (
	// criticalPerWindow is how many critical alerts a team gets as cards of their own per window; beyond it a
	// burst of critical alerts is grouped into the digest like the others.
	criticalPerWindow = 3
	// maxDigestAlerts bounds the alerts one flush reads; a larger backlog goes out in further digests.
	maxDigestAlerts = 5000
	// latestShown is how many of the latest alerts a digest lists.
	latestShown = 5
	// usersShown is how many members a digest names per rule.
	usersShown = 8
	// silenceCardFor is how long the card's Silence button silences a rule.
	silenceCardFor = time.Hour
	// flushRetry is how long a team whose push failed (its members could not be resolved, say) waits before
	// the next try, so that a WeCom outage is not hammered several times a second.
	flushRetry = 10 * time.Second
)

// flushPlan is what to do with a team's pending alerts now.
type flushPlan struct {
	silenced   []*db.Alert // their rule is silenced: settle, never push
	critical   []*db.Alert // push each on its own card now
	digest     []*db.Alert // push together as one digest now
	suppressed []*db.Alert // repeats only, window over: settle without pushing
}

// planFlush decides what happens to a team's pending alerts (oldest first). Alerts of silenced rules are
// settled as silenced. Critical alerts that are not repeats go out at once, each on its own card, while the
// team's budget for this window lasts. The rest wait until the oldest of them is window old; then they go
// out together as one digest, or, when all of them are repeats of alerts already pushed, are suppressed.
func planFlush(pending []*db.Alert, silenced map[string]bool, now time.Time, window time.Duration, criticalBudget int) flushPlan {
	var p flushPlan
	var rest []*db.Alert
	for _, a := range pending {
		switch {
		case silenced[a.Rule]:
			p.silenced = append(p.silenced, a)
		case a.Severity == SevCritical && !a.Repeat && criticalBudget > 0:
			p.critical = append(p.critical, a)
			criticalBudget--
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 {
		return p
	}
	oldest := rest[0].CreatedAt
	for _, a := range rest {
		if a.CreatedAt.Before(oldest) {
			oldest = a.CreatedAt
		}
	}
	if now.Before(oldest.Add(window)) {
		return p
	}
	if slices.ContainsFunc(rest, func(a *db.Alert) bool { return !a.Repeat }) {
		p.digest = rest
	} else {
		p.suppressed = rest
	}
	return p
}

// flush pushes what is due for every team with pending alerts.
func (s *Service) flush(ctx context.Context) {
	teams, err := s.d.DB.PendingAlertTeams(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("alerts: cannot read pending alerts", slog.String("err", err.Error()))
		}
		return
	}
	now := s.now()
	for team := range teams {
		if now.Before(s.retryAt[team]) {
			continue
		}
		if err := s.flushTeam(ctx, team); err != nil && ctx.Err() == nil {
			s.retryAt[team] = now.Add(flushRetry)
			s.log.Error("alerts: cannot push a team's alerts; will retry", slog.String("team", team),
				slog.Duration("in", flushRetry), slog.String("err", err.Error()))
		} else {
			delete(s.retryAt, team)
		}
	}
}

func (s *Service) flushTeam(ctx context.Context, team string) error {
	pending, err := s.d.DB.PendingAlerts(ctx, team, maxDigestAlerts)
	if err != nil || len(pending) == 0 {
		return err
	}
	if _, ok := s.r().cfg.Teams[team]; !ok {
		// Found for a team since removed from config.toml: nobody to tell. They stay listed by /alerts.
		s.log.Warn("alerts: pending alerts for a team no longer configured; not pushed", slog.String("team", team),
			slog.Int("alerts", len(pending)))
		return s.d.DB.FlushAlerts(ctx, &db.AlertFlush{Suppressed: ids(pending)})
	}
	silences, err := s.d.DB.ActiveAlertSilences(ctx)
	if err != nil {
		return err
	}
	silenced := map[string]bool{}
	for _, sl := range silences {
		silenced[sl.Rule] = true
	}
	now := s.now()
	used, err := s.d.DB.CountAlertDigests(ctx, team, db.DigestCritical, now.Add(-max(s.r().cfg.Window.Duration, time.Second)))
	if err != nil {
		return err
	}
	p := planFlush(pending, silenced, now, s.r().cfg.Window.Duration, criticalPerWindow-used)
	if len(p.silenced) > 0 || len(p.suppressed) > 0 {
		if err := s.d.DB.FlushAlerts(ctx, &db.AlertFlush{Silenced: ids(p.silenced), Suppressed: ids(p.suppressed)}); err != nil {
			return err
		}
	}
	if len(p.critical) == 0 && len(p.digest) == 0 {
		return nil
	}
	to, err := s.recipients(ctx, team)
	if err != nil {
		return err // the alerts stay pending and are pushed once the team resolves
	}
	for _, a := range p.critical {
		a, name := a, s.nameOf(ctx, a.UserID)
		d := &db.AlertDigest{Team: team, Kind: db.DigestCritical, Severity: SevCritical, Title: a.Rule + ": " + a.Summary, Alerts: 1}
		err := s.d.DB.FlushAlerts(ctx, &db.AlertFlush{Sent: []int64{a.ID}, Digest: d,
			Build: func(d *db.AlertDigest) ([]*db.AlertDelivery, error) { return s.buildCritical(d, a, name, to) }})
		if err != nil {
			return err
		}
	}
	if len(p.digest) > 0 {
		v := s.digestView(team, p.digest)
		v.whoName = s.namesOf(ctx, v.users)
		d := &db.AlertDigest{Team: team, Kind: db.DigestGrouped, Severity: v.severity, Title: v.title(), Alerts: len(p.digest)}
		err := s.d.DB.FlushAlerts(ctx, &db.AlertFlush{Sent: ids(p.digest), Digest: d,
			Build: func(d *db.AlertDigest) ([]*db.AlertDelivery, error) { return s.buildDigest(d, v, to) }})
		if err != nil {
			return err
		}
	}
	if s.d.Notify != nil {
		s.d.Notify()
	}
	return nil
}

func ids(as []*db.Alert) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// audience is who a team's messages go to, and the language each member reads.
type audience struct {
	users []string
	chat  string
	langs map[string]*i18n.Printer // userid → printer
}

// printer is the language u reads (English when the service has no Langs).
func (a audience) printer(u string) *i18n.Printer {
	if p, ok := a.langs[u]; ok {
		return p
	}
	return i18n.For(i18n.En)
}

// groups returns the members by language, in the order of the languages first met, so that a message is
// written once per language.
func (a audience) groups() []langGroup {
	var out []langGroup
	idx := map[*i18n.Printer]int{}
	for _, u := range a.users {
		p := a.printer(u)
		i, ok := idx[p]
		if !ok {
			i = len(out)
			idx[p] = i
			out = append(out, langGroup{p: p})
		}
		out[i].users = append(out[i].users, u)
	}
	return out
}

type langGroup struct {
	p     *i18n.Printer
	users []string
}

// chatPrinter is the language of messages to a team's chat: the corp's default (replies.language), as a
// chat has many readers.
func (s *Service) chatPrinter() *i18n.Printer {
	if s.d.Langs == nil {
		return i18n.For(i18n.En)
	}
	def := s.d.Langs.Default
	if def == "" {
		def = i18n.Zh
	}
	return i18n.For(def)
}

func (s *Service) recipients(ctx context.Context, team string) (audience, error) {
	users, err := s.r().teams.members(ctx, team)
	if err != nil {
		return audience{}, err
	}
	a := audience{users: users, chat: s.r().cfg.Teams[team].Chat, langs: map[string]*i18n.Printer{}}
	if s.d.Langs != nil {
		for _, u := range users {
			a.langs[u] = i18n.For(s.d.Langs.Of(ctx, u))
		}
	}
	if len(a.users) == 0 && a.chat == "" {
		s.log.Error("alerts: the team has no members to alert (check its tags and departments); alerts are kept and listed by /alerts",
			slog.String("team", team))
	}
	return a, nil
}

// ruleCount is one rule's share of a digest.
type ruleCount struct {
	rule     string
	severity string
	n        int
	repeats  int
	users    []string // most frequent first
}

// digestView is what a digest says: built from its alerts, rendered as markdown and as a card.
type digestView struct {
	team     string
	severity string
	n        int
	from, to time.Time // when the alerts were found
	rules    []ruleCount
	users    []string    // everyone involved, most frequent first
	latest   []*db.Alert // newest first, repeats left out
	loc      *time.Location
	p        *i18n.Printer     // the language it is written in (nil: English)
	whoName  map[string]string // userid → name, for showing members as 张三 (zhangsan)
}

func (s *Service) digestView(team string, alerts []*db.Alert) *digestView {
	return buildView(team, alerts, s.loc())
}

func buildView(team string, alerts []*db.Alert, loc *time.Location) *digestView {
	v := &digestView{team: team, n: len(alerts), severity: SevInfo, loc: loc}
	byRule := map[string]*ruleCount{}
	ruleUsers := map[string]map[string]int{}
	allUsers := map[string]int{}
	for i, a := range alerts {
		if i == 0 || a.CreatedAt.Before(v.from) {
			v.from = a.CreatedAt
		}
		if i == 0 || a.CreatedAt.After(v.to) {
			v.to = a.CreatedAt
		}
		if sevRank(a.Severity) > sevRank(v.severity) {
			v.severity = a.Severity
		}
		rc := byRule[a.Rule]
		if rc == nil {
			rc = &ruleCount{rule: a.Rule, severity: a.Severity}
			byRule[a.Rule] = rc
			ruleUsers[a.Rule] = map[string]int{}
		}
		rc.n++
		if a.Repeat {
			rc.repeats++
		}
		if sevRank(a.Severity) > sevRank(rc.severity) {
			rc.severity = a.Severity
		}
		if a.UserID != "" {
			ruleUsers[a.Rule][a.UserID]++
			allUsers[a.UserID]++
		}
		if !a.Repeat {
			v.latest = append(v.latest, a)
		}
	}
	for name, rc := range byRule {
		rc.users = byCount(ruleUsers[name])
		v.rules = append(v.rules, *rc)
	}
	slices.SortFunc(v.rules, func(a, b ruleCount) int {
		if c := cmp.Compare(sevRank(b.severity), sevRank(a.severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(a.rule, b.rule)
	})
	v.users = byCount(allUsers)
	slices.SortStableFunc(v.latest, func(a, b *db.Alert) int {
		if c := b.RecordAt.Compare(a.RecordAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return v
}

// byCount returns the keys, most frequent first, ties by name.
func byCount(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// title is the digest's title as stored (English: the audit trail and logs read it).
func (v *digestView) title() string {
	return replies.Plural(v.n, "security alert", "security alerts") + " for team " + v.team
}

// in returns the view writing in p's language.
func (v *digestView) in(p *i18n.Printer) *digestView {
	c := *v
	c.p = p
	return &c
}

// sevLabel is a severity in WeCom colour: critical bold orange-red, warning orange-red, info grey.
func sevLabel(p *i18n.Printer, sev string) string {
	switch sev {
	case SevCritical:
		return replies.Font(replies.Warning, p.T("**CRITICAL**"))
	case SevWarning:
		return replies.Font(replies.Warning, p.T("warning"))
	}
	return replies.Font(replies.Comment, p.T("info"))
}

// sevName is a severity as plain text.
func sevName(p *i18n.Printer, sev string) string {
	switch sev {
	case SevCritical:
		return p.T("critical")
	case SevWarning:
		return p.T("warning")
	case SevInfo:
		return p.T("info")
	}
	return sev
}

// names lists up to n members (by name and userid where the name is known), with "+k more".
func (v *digestView) names(users []string, n int) string {
	var parts []string
	for i, u := range users {
		if i == n {
			parts = append(parts, v.p.Sprintf("+%d more", len(users)-n))
			break
		}
		parts = append(parts, v.whoMD(u))
	}
	return strings.Join(parts, ", ")
}

// whoMD shows a member in markdown: 张三 (`zhangsan`), or `zhangsan` when the name is not known.
func (v *digestView) whoMD(u string) string {
	if name := v.nameOf(u); name != "" {
		return replies.Escape(name) + " (" + replies.Code(u) + ")"
	}
	return replies.Code(u)
}

// whoText shows a member in plain text (cards): 张三 (zhangsan), or zhangsan.
func (v *digestView) whoText(u string) string {
	if name := v.nameOf(u); name != "" {
		return name + " (" + u + ")"
	}
	return u
}

func (v *digestView) nameOf(u string) string {
	if v.whoName == nil {
		return ""
	}
	if name := v.whoName[u]; name != "" && !strings.EqualFold(name, u) {
		return name
	}
	return ""
}

func (v *digestView) span() string {
	from, to := v.from.In(v.loc).Format("01-02 15:04:05"), v.to.In(v.loc).Format("15:04:05")
	if v.from.Equal(v.to) {
		return from
	}
	return from + "–" + to
}

// markdown renders the digest as CommonMark source, listing at most latest of the latest alerts and usersN
// members per rule.
func (v *digestView) markdown(latest, usersN int, chat bool) string {
	p := v.p
	var b strings.Builder
	title := p.Sprintf("%s for team %s", p.Plural(v.n, "security alert", "security alerts"), v.team)
	fmt.Fprintf(&b, "**%s** · %s\n\n", replies.Escape(title), sevLabel(p, v.severity))
	if len(v.users) > 0 {
		b.WriteString(p.Markdownf("Found %s · %s involved", v.span(), p.Plural(len(v.users), "member", "members")))
	} else {
		b.WriteString(p.Markdownf("Found %s", v.span()))
	}
	b.WriteString("\n\n")
	for _, rc := range v.rules {
		fmt.Fprintf(&b, "- **%s** %s: %s", replies.Escape(rc.rule), sevLabel(p, rc.severity), replies.Escape(p.Plural(rc.n, "alert", "alerts")))
		if rc.repeats > 0 {
			b.WriteString(p.Sprintf(" (%d repeated)", rc.repeats))
		}
		if len(rc.users) > 0 {
			fmt.Fprintf(&b, " — %s", v.names(rc.users, usersN))
		}
		b.WriteString("\n")
	}
	if latest > 0 && len(v.latest) > 0 {
		b.WriteString("\n" + p.T("Latest:") + "\n\n")
		for i, a := range v.latest {
			if i == latest {
				break
			}
			fmt.Fprintf(&b, "- %s %s\n", replies.Code(a.RecordAt.In(v.loc).Format("15:04:05")), replies.Escape(SummaryIn(p, a)))
		}
	}
	if chat {
		b.WriteString("\n" + p.T("Silence a rule with `/silence add RULE 1h`; see all with `/alerts`."))
	} else {
		b.WriteString("\n" + p.T("Acknowledge or silence with the card below; see all with `/alerts`."))
	}
	return b.String()
}

// render returns the digest as WeCom markdown of at most 2,048 bytes, leaving out detail until it fits.
func (v *digestView) render(chat bool) string {
	for _, lim := range []struct{ latest, users int }{{latestShown, usersShown}, {3, 5}, {1, 3}, {0, 2}, {0, 0}} {
		md := replies.Markdown(v.markdown(lim.latest, lim.users, chat))
		if len(md) <= replies.MaxBytes {
			return md
		}
	}
	return replies.Split(replies.Markdown(v.markdown(0, 0, chat)), replies.MaxBytes)[0]
}

// card returns the digest's button card.
func (v *digestView) card(taskID string, id int64) *wecom.TemplateCard {
	p := v.p
	var fields []replies.Field
	for i, rc := range v.rules {
		if i == 5 {
			break
		}
		fields = append(fields, replies.Field{Key: rc.rule, Value: fmt.Sprintf("%d · %s", rc.n, sevName(p, rc.severity))})
	}
	if len(v.users) > 0 {
		fields = append(fields, replies.Field{Key: p.T("Members"), Value: v.plainNames(v.users, 3)})
	}
	buttons := []replies.Button{{Text: p.T("Ack"), Key: fmt.Sprintf("alert:ack:%d", id), Style: 1}}
	for i, rc := range v.rules {
		if i == wecom.MaxCardButtons-1 {
			break
		}
		text := p.T("Silence 1h")
		if len(v.rules) > 1 {
			text = p.Sprintf("Mute %s", rc.rule)
		}
		buttons = append(buttons, replies.Button{Text: text, Key: "alert:silence:" + rc.rule, Style: 2})
	}
	c := replies.ButtonCard(taskID, p.Plural(v.n, "security alert", "security alerts"), p.Sprintf("team %s · %s", v.team, v.span()), fields, buttons)
	c.Source = cardSource(p, v.severity)
	if len(v.latest) > 0 {
		c.SubTitleText = p.Sprintf("Latest: %s", replies.Truncate(SummaryIn(p, v.latest[0]), 120))
	}
	return c
}

func cardSource(p *i18n.Printer, sev string) *wecom.CardSource {
	switch sev {
	case SevCritical:
		return &wecom.CardSource{Desc: p.T("Security alert · CRITICAL"), DescColor: 2}
	case SevWarning:
		return &wecom.CardSource{Desc: p.T("Security alert · warning"), DescColor: 1}
	}
	return &wecom.CardSource{Desc: p.T("Security alert · info"), DescColor: 0}
}

func (v *digestView) plainNames(users []string, n int) string {
	shown := users[:min(n, len(users))]
	parts := make([]string, len(shown))
	for i, u := range shown {
		parts[i] = v.whoText(u)
	}
	if len(users) <= n {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" +%d", len(users)-n)
}

// criticalCard is the card of one critical alert; name is the member's name when known.
func criticalCard(p *i18n.Printer, a *db.Alert, name, taskID string, id int64, loc *time.Location) *wecom.TemplateCard {
	fields := []replies.Field{{Key: p.T("Rule"), Value: a.Rule}}
	if a.UserID != "" {
		member := a.UserID
		if name != "" && !strings.EqualFold(name, a.UserID) {
			member = name + " (" + a.UserID + ")"
		}
		fields = append(fields, replies.Field{Key: p.T("Member"), Value: member})
	}
	fields = append(fields, replies.Field{Key: p.T("Time"), Value: a.RecordAt.In(loc).Format("01-02 15:04:05")})
	if ip := detailField(a.Detail, "ip"); ip != "" {
		fields = append(fields, replies.Field{Key: "IP", Value: ip})
	}
	if dev := detailField(a.Detail, "device_code"); dev != "" {
		fields = append(fields, replies.Field{Key: p.T("Device"), Value: dev})
	}
	buttons := []replies.Button{
		{Text: p.T("Ack"), Key: fmt.Sprintf("alert:ack:%d", id), Style: 1},
		{Text: p.T("Silence 1h"), Key: "alert:silence:" + a.Rule, Style: 2},
	}
	summary := SummaryIn(p, a)
	c := replies.ButtonCard(taskID, p.Sprintf("Critical: %s", a.Rule), summary, fields, buttons)
	c.Source = cardSource(p, SevCritical)
	c.SubTitleText = replies.Truncate(summary, 200)
	return c
}

// criticalMarkdown is one critical alert as markdown, for chats (which take no cards) and text mode.
func criticalMarkdown(p *i18n.Printer, a *db.Alert, loc *time.Location) string {
	md := p.Markdownf("%s security alert **%s**\n\n%s %s\n\nSilence the rule with `/silence add %s 1h`; see all with `/alerts`.",
		bot.Markdown(sevLabel(p, SevCritical)), a.Rule, bot.Markdown(replies.Code(a.RecordAt.In(loc).Format("01-02 15:04:05"))),
		SummaryIn(p, a), bot.Markdown(a.Rule))
	return replies.Split(replies.Markdown(md), replies.MaxBytes)[0]
}

// detailField reads a string field of an alert's stored record.
func detailField(detail, name string) string {
	var m map[string]any
	if json.Unmarshal([]byte(detail), &m) != nil {
		return ""
	}
	if v, ok := m[name].(string); ok {
		return v
	}
	return ""
}

// taskTag makes task_ids unique beyond one database: WeCom refuses a task_id the app used before, and a bot
// restarted on a new database counts digests from 1 again.
func taskTag() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Service) buildDigest(d *db.AlertDigest, v *digestView, to audience) ([]*db.AlertDelivery, error) {
	var out []*db.AlertDelivery
	tag := taskTag()
	i := 0
	for _, g := range to.groups() {
		lv := v.in(g.p)
		md := lv.render(false) // written once per language
		for _, u := range g.users {
			taskID := fmt.Sprintf("alert-%d-%s-%d", d.ID, tag, i)
			i++
			ds, err := s.deliveries(u, &replies.Reply{Markdown: md, TemplateCard: lv.card(taskID, d.ID)})
			if err != nil {
				return nil, err
			}
			out = append(out, ds...)
		}
	}
	if to.chat != "" {
		m, err := chatBody(to.chat, v.in(s.chatPrinter()).render(true))
		if err != nil {
			return nil, err
		}
		out = append(out, &db.AlertDelivery{Recipient: "chat:" + to.chat, Message: m})
	}
	return out, nil
}

func (s *Service) buildCritical(d *db.AlertDigest, a *db.Alert, name string, to audience) ([]*db.AlertDelivery, error) {
	var out []*db.AlertDelivery
	tag := taskTag()
	i := 0
	for _, g := range to.groups() {
		md := criticalMarkdown(g.p, a, s.loc())
		for _, u := range g.users {
			taskID := fmt.Sprintf("alert-%d-%s-%d", d.ID, tag, i)
			i++
			ds, err := s.deliveries(u, &replies.Reply{TemplateCard: criticalCard(g.p, a, name, taskID, d.ID, s.loc()),
				Fallback: &replies.Reply{Markdown: md}})
			if err != nil {
				return nil, err
			}
			out = append(out, ds...)
		}
	}
	if to.chat != "" {
		m, err := chatBody(to.chat, criticalMarkdown(s.chatPrinter(), a, s.loc()))
		if err != nil {
			return nil, err
		}
		out = append(out, &db.AlertDelivery{Recipient: "chat:" + to.chat, Message: m})
	}
	return out, nil
}

// namesOf reads the names of the members a message shows (one walk of the address book serves them all);
// nil without Names.
func (s *Service) namesOf(ctx context.Context, users []string) map[string]string {
	if s.d.Names == nil {
		return nil
	}
	out := map[string]string{}
	for _, u := range users {
		if name := s.d.Names.Of(ctx, u); name != "" {
			out[u] = name
		}
	}
	return out
}

func (s *Service) nameOf(ctx context.Context, u string) string {
	if s.d.Names == nil || u == "" {
		return ""
	}
	return s.d.Names.Of(ctx, u)
}

// deliveries composes r for one member as every reply is composed (plain text in text mode, without the
// cards the WeChat plugin cannot show), one delivery per message; a card's delivery carries its task_id.
func (s *Service) deliveries(to string, r *replies.Reply) ([]*db.AlertDelivery, error) {
	var out []*db.AlertDelivery
	for _, m := range s.d.Composer.Messages(to, r) {
		row, err := s.sendBody(m)
		if err != nil {
			return nil, err
		}
		d := &db.AlertDelivery{Recipient: to, Message: row}
		if m.TemplateCard != nil {
			d.TaskID = m.TemplateCard.TaskID
		}
		out = append(out, d)
	}
	return out, nil
}

// sendBody encodes a message/send row for the outbox: one recipient per row, so that the sender's
// per-member limit applies.
func (s *Service) sendBody(m *wecom.Message) (*db.OutboxMessage, error) {
	if len(m.ToUser) != 1 {
		return nil, errors.New("alerts: one recipient per message")
	}
	body, err := s.d.Client.Message.Encode(m)
	if err != nil {
		return nil, fmt.Errorf("alerts: encode message: %w", err)
	}
	return &db.OutboxMessage{Recipient: m.ToUser[0], API: "message/send", Body: body}, nil
}

// chatBody encodes an appchat/send row: markdown to a chat the app created.
func chatBody(chatID, markdown string) (*db.OutboxMessage, error) {
	body, err := json.Marshal(struct {
		ChatID   string          `json:"chatid"`
		MsgType  wecom.MsgType   `json:"msgtype"`
		Markdown *wecom.Markdown `json:"markdown"`
	}{chatID, wecom.MsgMarkdown, &wecom.Markdown{Content: markdown}})
	if err != nil {
		return nil, err
	}
	return &db.OutboxMessage{Recipient: "chat:" + chatID, API: "appchat/send", Body: body}, nil
}
