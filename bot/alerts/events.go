package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/security"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Card clicks: "alert:ack:<digest id>" and "alert:silence:<rule>".

func parseKey(key string) (action, arg string, ok bool) {
	rest, ok := strings.CutPrefix(key, "alert:")
	if !ok {
		return "", "", false
	}
	action, arg, ok = strings.Cut(rest, ":")
	if !ok || arg == "" || (action != "ack" && action != "silence") {
		return "", "", false
	}
	return action, arg, true
}

// click handles a button on an alert card: checks alerts.write, records the ack or the silence with its audit
// row, and updates the card, all in the callback's transaction.
func (s *Service) click(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	action, arg, ok := parseKey(m.EventKey)
	if !ok {
		s.log.Warn("alerts: card click with an unknown key; acknowledged", slog.String("key", m.EventKey), slog.String("from", m.FromUserName))
		return nil, nil
	}
	from := m.FromUserName
	p := i18n.From(ctx) // the clicker's language
	command := "alerts " + action
	args := map[string]string{}
	var digestID int64
	switch action {
	case "ack":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || id <= 0 {
			s.log.Warn("alerts: ack click with a bad digest id; acknowledged", slog.String("key", m.EventKey))
			return nil, nil
		}
		digestID = id
		args["digest"] = arg
	case "silence":
		args["rule"], args["for"] = arg, "1h"
	}
	if m.TaskID != "" {
		args["task"] = m.TaskID
	}
	audit := func(decision, result string) func(ctx context.Context, tx *db.Tx) error {
		return func(ctx context.Context, tx *db.Tx) error {
			return tx.AppendAudit(ctx, &db.AuditEntry{Actor: from, Command: command, Args: args, Decision: decision,
				Result: result, InboxID: it.ID})
		}
	}

	var caller *access.Caller
	var resolveErr error
	if s.d.Access != nil {
		caller, resolveErr = s.d.Access.Resolve(ctx, from)
	}
	if caller == nil || !caller.Can(PermWrite) {
		reason := "missing permission " + PermWrite
		text := p.Markdownf("You may not acknowledge or silence alerts: that needs the permission %s. Ask an admin for a role that grants it (send /whoami to see yours).",
			bot.Markdown(replies.Code(PermWrite)))
		if resolveErr != nil {
			reason = "roles could not be checked: " + resolveErr.Error()
			text = p.Markdownf("I could not check your roles just now (%s), so the click was refused. Try again in a minute.",
				bot.Markdown(p.Error(resolveErr))) // already CommonMark, values escaped
		}
		reply, err := s.reply(from, it.ID, text)
		if err != nil {
			return nil, inbox.Permanent(err)
		}
		return func(ctx context.Context, tx *db.Tx) error {
			if err := audit(db.DecisionDenied, reason)(ctx, tx); err != nil {
				return err
			}
			return tx.AddOutbox(ctx, reply)
		}, nil
	}

	if action == "ack" {
		return s.ack(p, it, m, digestID, audit), nil
	}
	return s.silenceClick(p, it, m, arg, audit)
}

func (s *Service) ack(p *i18n.Printer, it *db.InboxItem, m *wecom.Inbound, id int64, audit func(string, string) func(context.Context, *db.Tx) error) inbox.Effects {
	from := m.FromUserName
	return func(ctx context.Context, tx *db.Tx) error {
		d, first, err := tx.AckAlertDigest(ctx, id, from)
		if errors.Is(err, db.ErrAlertNotFound) {
			reply, err := s.reply(from, it.ID, p.T("That alert is not known to the bot (it may come from another database); nothing was acknowledged."))
			if err != nil {
				return err
			}
			if err := tx.AddOutbox(ctx, reply); err != nil {
				return err
			}
			return audit(db.DecisionFailed, fmt.Sprintf("no alert digest %d", id))(ctx, tx)
		}
		if err != nil {
			return err
		}
		if err := s.updateDigestCards(ctx, tx, it.ID, d, from, m.TaskID, m.ResponseCode, p); err != nil {
			return err
		}
		result := fmt.Sprintf("acknowledged digest %d (%s)", id, d.Title)
		if !first {
			result = fmt.Sprintf("digest %d was already acknowledged by %s", id, d.AckedBy)
		}
		return audit(db.DecisionOK, result)(ctx, tx)
	}
}

// updateDigestCards shows on every card of digest d who acked it, each recipient in their own language: the
// clicked card (clickedTask, by clicker with the click's code clickCode, in p) with the click's code, the others
// with the codes message/send gave them.
func (s *Service) updateDigestCards(ctx context.Context, tx *db.Tx, inboxID int64, d *db.AlertDigest, clicker, clickedTask, clickCode string, p *i18n.Printer) error {
	if clickCode != "" {
		if err := s.updateCard(ctx, tx, inboxID, clicker, clickCode, p.Sprintf("Acked by %s", d.AckedBy)); err != nil {
			return err
		}
	}
	cards, err := tx.TakeAlertCards(ctx, d.ID, clickedTask)
	if err != nil {
		return err
	}
	for _, c := range cards {
		if (clickedTask != "" && c.TaskID == clickedTask) || c.ResponseCode == "" {
			continue
		}
		if err := s.updateCard(ctx, tx, inboxID, c.Recipient, c.ResponseCode, s.printer(ctx, c.Recipient).Sprintf("Acked by %s", d.AckedBy)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) silenceClick(p *i18n.Printer, it *db.InboxItem, m *wecom.Inbound, ruleName string, audit func(string, string) func(context.Context, *db.Tx) error) (inbox.Effects, error) {
	from := m.FromUserName
	if s.rule(ruleName) == nil {
		reply, err := s.reply(from, it.ID, p.Markdownf("There is no rule %s any more, so nothing was silenced. /silence lists the silences in force.",
			bot.Markdown(replies.Code(ruleName))))
		if err != nil {
			return nil, inbox.Permanent(err)
		}
		return func(ctx context.Context, tx *db.Tx) error {
			if err := tx.AddOutbox(ctx, reply); err != nil {
				return err
			}
			return audit(db.DecisionFailed, "no rule "+ruleName)(ctx, tx)
		}, nil
	}
	return func(ctx context.Context, tx *db.Tx) error {
		sl := &db.AlertSilence{Rule: ruleName, Reason: "Silence button on an alert card", CreatedBy: from,
			Until: tx.Now.Add(silenceCardFor), InboxID: it.ID}
		if _, err := tx.AddAlertSilence(ctx, sl); err != nil {
			return err
		}
		if m.TaskID != "" {
			// The card now says who silenced it; a later ack of its digest leaves it so.
			if _, err := tx.TakeAlertCard(ctx, m.TaskID); err != nil {
				return err
			}
		}
		if err := s.updateCard(ctx, tx, it.ID, from, m.ResponseCode, p.Sprintf("Silenced 1h by %s", from)); err != nil {
			return err
		}
		return audit(db.DecisionOK, fmt.Sprintf("silenced rule %s until %s (silence %d)", ruleName,
			sl.Until.In(s.loc()).Format("2006-01-02 15:04"), sl.ID))(ctx, tx)
	}, nil
}

func (s *Service) rule(name string) *rule {
	for _, r := range s.r().rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// updateCard queues message/update_template_card for one member's card: its buttons become one disabled
// button reading name.
func (s *Service) updateCard(ctx context.Context, tx *db.Tx, inboxID int64, user, responseCode, name string) error {
	if responseCode == "" {
		return nil
	}
	body, err := s.d.Client.Message.EncodeUpdate(&wecom.UpdateTemplateCardRequest{UserIDs: []string{user},
		ResponseCode: responseCode, Button: &wecom.UpdateButton{ReplaceName: replies.Truncate(name, 30)}})
	if err != nil {
		return err
	}
	return tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: inboxID, Recipient: user, API: "message/update_template_card", Body: body})
}

// reply is a markdown message to one member answering a callback.
func (s *Service) reply(to string, inboxID int64, md string) (*db.OutboxMessage, error) {
	m, err := s.sendBody(s.d.Composer.Markdown(to, md)[0])
	if err != nil {
		return nil, err
	}
	m.InboxID = inboxID
	return m, nil
}

// domainIPChanged handles WeCom's security event: it reads the new domain/IP list, compares it with the last
// snapshot (the one /domainip also keeps), stores it as the latest, and tells DomainIPTeam what changed.
//
// The baseline compared with is pinned per callback before the new list is saved, so a callback replayed
// after a crash reports the same difference; the messages are queued in the callback's transaction, so they
// go out exactly once.
func (s *Service) domainIPChanged(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	team := s.r().cfg.DomainIPTeam
	snap, err := security.FetchDomainIP(ctx, s.d.Client)
	if err != nil {
		var we *wecom.Error
		if !errors.As(err, &we) || we.Temporary() {
			return nil, err // retried with backoff
		}
		// WeCom refuses for good (no permission, say): the team must hear that it cannot see the change.
		s.log.Error("alerts: WeCom reported a domain/IP change but the list cannot be read", slog.String("err", err.Error()))
		if team == "" {
			return nil, nil
		}
		md := func(p *i18n.Printer) string {
			if we.Hint != "" {
				return p.Markdownf("%s WeCom reports that its domains/IPs changed, but the bot cannot read the new list: errcode %d on %s (%s). Check 我的企业 → 设置 → 域名IP → 可调用API的应用, then run `/domainip`.",
					bot.Markdown(sevLabel(p, SevWarning)), we.Code, we.Op, we.Hint)
			}
			return p.Markdownf("%s WeCom reports that its domains/IPs changed, but the bot cannot read the new list: errcode %d on %s. Check 我的企业 → 设置 → 域名IP → 可调用API的应用, then run `/domainip`.",
				bot.Markdown(sevLabel(p, SevWarning)), we.Code, we.Op)
		}
		return s.domainIPEffects(ctx, it, team, "WeCom's domains/IPs changed (list unreadable)", md)
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	latest, latestAt, ok, err := s.d.DB.LatestSnapshot(ctx, security.SnapshotDomainIP)
	if err != nil {
		return nil, err
	}
	var prev []byte
	if ok {
		prev = latest
	}
	base, baseAt, err := s.d.DB.PinDomainIPBaseline(ctx, it.ID, prev, latestAt)
	if err != nil {
		return nil, err
	}
	if !ok || !bytes.Equal(latest, body) {
		if err := s.d.DB.SaveSnapshot(ctx, security.SnapshotDomainIP, body); err != nil {
			return nil, err
		}
	}
	var old *security.DomainIPSnapshot
	if base != nil && json.Unmarshal(base, &old) != nil {
		old, base = nil, nil
	}
	if team == "" {
		s.log.Warn("alerts: WeCom's domains/IPs changed and no alerts.domain_ip_team is set; nobody is told")
		return nil, nil
	}
	diff := security.DiffDomainIP(old, snap)
	md := func(p *i18n.Printer) string {
		var b strings.Builder
		b.WriteString(p.Markdownf("%s **WeCom's domains/IPs changed** — update your firewall.", bot.Markdown(sevLabel(p, SevWarning))))
		b.WriteString("\n\n")
		domains, ips := p.Plural(len(snap.Domains), "domain", "domains"), p.Plural(len(snap.IPs), "IP", "IPs")
		switch {
		case base == nil:
			b.WriteString(p.Markdownf("No earlier list was stored to compare with. The current list has %s and %s; send `/domainip` to see it.",
				domains, ips))
		case diff.Empty():
			b.WriteString(p.Markdownf("WeCom says so, but the list matches the one stored %s (%s and %s). Send `/domainip` to check.",
				baseAt.In(s.loc()).Format("2006-01-02 15:04"), domains, ips))
		default:
			b.WriteString(p.Markdownf("Compared with the list stored %s:\n\n%s\n\nSend `/domainip` for the whole list.",
				baseAt.In(s.loc()).Format("2006-01-02 15:04"), bot.Markdown(diff.Markdown())))
		}
		return b.String()
	}
	return s.domainIPEffects(ctx, it, team, "WeCom's domains/IPs changed", md)
}

// domainIPEffects queues md, written in each member's language (once per language), to the team, in as many
// messages as it takes, as a domain_ip digest.
func (s *Service) domainIPEffects(ctx context.Context, it *db.InboxItem, team, title string, md func(*i18n.Printer) string) (inbox.Effects, error) {
	to, err := s.recipients(ctx, team)
	if err != nil {
		return nil, err
	}
	var ds []*db.AlertDelivery
	texts := map[*i18n.Printer]string{}
	for _, u := range to.users {
		p := to.printer(u)
		if _, ok := texts[p]; !ok {
			texts[p] = md(p)
		}
		for _, c := range s.d.Composer.Markdown(u, texts[p]) {
			msg, err := s.sendBody(c)
			if err != nil {
				return nil, inbox.Permanent(err)
			}
			msg.InboxID = it.ID
			ds = append(ds, &db.AlertDelivery{Recipient: u, Message: msg})
		}
	}
	if to.chat != "" {
		for _, c := range replies.Split(replies.Markdown(md(s.chatPrinter())), replies.MaxBytes) {
			msg, err := chatBody(to.chat, c)
			if err != nil {
				return nil, inbox.Permanent(err)
			}
			msg.InboxID = it.ID
			ds = append(ds, &db.AlertDelivery{Recipient: "chat:" + to.chat, Message: msg})
		}
	}
	return func(ctx context.Context, tx *db.Tx) error {
		d := &db.AlertDigest{Team: team, Kind: db.DigestDomainIP, Severity: SevWarning, Title: title}
		return tx.AddAlertDigest(ctx, d, func(*db.AlertDigest) ([]*db.AlertDelivery, error) { return ds, nil })
	}, nil
}

// printer is the language u reads (English when the service has no Langs).
func (s *Service) printer(ctx context.Context, u string) *i18n.Printer {
	if s.d.Langs == nil {
		return i18n.For(i18n.En)
	}
	return i18n.For(s.d.Langs.Of(ctx, u))
}
