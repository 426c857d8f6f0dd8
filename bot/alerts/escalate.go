package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Escalation ([alerts.teams.NAME] remind_after, tiers, war_room): a digest nobody acknowledged climbs a
// ladder. After remind_after its team gets a reminder card; after each further remind_after the next tier's
// members get one; after the last tier, with war_room, a group chat of the team and every tier is created
// (appchat/create) and the alert's timeline posted there. Every reminder card has the digest's Ack button and
// is one of its deliveries, so one Ack anywhere stops the ladder and every card shows who acked. State is in
// alert_escalations; each step commits with its messages, and the war room's chat id is on disk before
// appchat/create is called, so a restart neither repeats a step nor makes a second chat.

// escalationHorizon is how far back unacknowledged digests still climb.
const escalationHorizon = 7 * 24 * time.Hour

// escalationBatch bounds the digests one pass looks at.
const escalationBatch = 200

// WarRoomID is the war room's chat id: fixed per digest, so a retried create finds the chat made before.
func WarRoomID(digestID int64) string {
	sum := sha256.Sum256([]byte("wecombot-war-room\x00" + strconv.FormatInt(digestID, 10)))
	return "wr" + strconv.FormatInt(digestID, 10) + hex.EncodeToString(sum[:])[:8]
}

// escalate climbs every due digest one step.
func (s *Service) escalate(ctx context.Context) {
	rt := s.r()
	var teams []string
	for name, t := range rt.cfg.Teams {
		if t.RemindAfter.Duration > 0 {
			teams = append(teams, name)
		}
	}
	if len(teams) == 0 {
		return
	}
	now := s.now()
	cands, err := s.d.DB.EscalationCandidates(ctx, teams, now.Add(-escalationHorizon), escalationBatch)
	if err != nil {
		s.log.Warn("alerts: cannot read digests to escalate", slog.String("err", err.Error()))
		return
	}
	for _, e := range cands {
		t := rt.cfg.Teams[e.Digest.Team]
		every := t.RemindAfter.Duration
		due := e.NextAt
		if due.IsZero() {
			due = e.Digest.CreatedAt.Add(every)
		}
		last := 1 + len(t.Tiers) // steps: 1 the team again, 2.. the tiers; then the war room
		if now.Before(due) || e.Step > last || (e.Step == last && !t.WarRoom) {
			continue
		}
		if err := s.escalateOne(ctx, e, t.Tiers, every, last); err != nil {
			retry := min(every, 5*time.Minute)
			s.log.Warn("alerts: escalation step failed; retried", slog.Int64("digest", e.Digest.ID), slog.Int("step", e.Step),
				slog.Duration("in", retry), slog.String("err", err.Error()))
			e.NextAt = now.Add(retry)
			if err := s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.SetEscalation(ctx, e) }); err != nil {
				s.log.Warn("alerts: cannot record the escalation's retry", slog.String("err", err.Error()))
			}
		}
	}
}

func (s *Service) escalateOne(ctx context.Context, e *db.Escalation, tiers [][]string, every time.Duration, last int) error {
	d := e.Digest
	if e.Step == last {
		return s.warRoom(ctx, e, tiers)
	}
	var to []string
	var err error
	if e.Step == 0 {
		to, err = s.r().teams.members(ctx, d.Team)
	} else {
		to, err = s.r().teams.resolve(ctx, tiers[e.Step-1])
	}
	if err != nil {
		return err
	}
	level := e.Step // 0: the team again; k: tier k
	var ds []*db.AlertDelivery
	for _, u := range to {
		p := s.printer(ctx, u)
		task := fmt.Sprintf("esc%d-%d-%s", d.ID, level, taskHash(u))
		title := p.Sprintf("Not acknowledged: %s", d.Title)
		desc := p.Sprintf("Pushed %s; nobody has acknowledged it yet.", d.CreatedAt.In(s.loc()).Format("01-02 15:04"))
		if level > 0 {
			desc = p.Sprintf("Escalated to you (tier %d): pushed %s, nobody has acknowledged it.", level, d.CreatedAt.In(s.loc()).Format("01-02 15:04"))
		}
		card := replies.ButtonCard(task, title, desc, nil, []replies.Button{{Text: p.T("Ack"), Key: "alert:ack:" + strconv.FormatInt(d.ID, 10), Style: 1}})
		r := &replies.Reply{TemplateCard: card, Fallback: &replies.Reply{Markdown: p.Markdownf("**%s**\n\n%s", title, desc)}}
		more, err := s.deliveries(u, r)
		if err != nil {
			return err
		}
		ds = append(ds, more...)
	}
	next := &db.Escalation{Digest: d, Step: e.Step + 1, NextAt: s.now().Add(every), ChatID: e.ChatID, ChatState: e.ChatState}
	err = s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.AddAlertDeliveries(ctx, d.ID, ds); err != nil {
			return err
		}
		if err := tx.SetEscalation(ctx, next); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: "sys", Command: "alerts escalate", Args: map[string]string{
			"digest": strconv.FormatInt(d.ID, 10), "step": strconv.Itoa(level)}, Decision: db.DecisionOK,
			Result: fmt.Sprintf("reminded %d members: %s", len(to), strings.Join(to, ", "))})
	})
	if err == nil && s.d.Notify != nil {
		s.d.Notify()
	}
	return err
}

func taskHash(u string) string {
	sum := sha256.Sum256([]byte(access.UserKey(u)))
	return hex.EncodeToString(sum[:6])
}

// warRoom creates the digest's group chat with the team and every tier, exactly once, and posts the timeline.
func (s *Service) warRoom(ctx context.Context, e *db.Escalation, tiers [][]string) error {
	d := e.Digest
	users, err := s.r().teams.members(ctx, d.Team)
	if err != nil {
		return err
	}
	for _, tier := range tiers {
		more, err := s.r().teams.resolve(ctx, tier)
		if err != nil {
			return err
		}
		for _, u := range more {
			if !slices.ContainsFunc(users, func(x string) bool { return access.SameUser(x, u) }) {
				users = append(users, u)
			}
		}
	}
	if len(users) > wecom.MaxChatMembers {
		users = users[:wecom.MaxChatMembers]
	}
	id := WarRoomID(d.ID)
	if len(users) < wecom.MinChatMembers {
		s.log.Error("alerts: a war room needs at least 2 members; the ladder ends here", slog.Int64("digest", d.ID))
		return s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.SetEscalation(ctx, &db.Escalation{Digest: d, Step: e.Step + 1, NextAt: s.now(), ChatState: ""})
		})
	}
	// The chat id is on disk before WeCom is asked: a crash between the two finds it and reads the chat back.
	if e.ChatState != "creating" {
		e.ChatID, e.ChatState = id, "creating"
		if err := s.d.DB.SetEscalationDurably(ctx, e); err != nil {
			return err
		}
	}
	p := s.chatPrinter()
	name := replies.Truncate(p.Sprintf("Alert: %s", d.Title), wecom.MaxChatNameRunes)
	_, err = s.d.Client.AppChat.Create(ctx, &wecom.CreateChatRequest{Name: name, Owner: users[0], UserList: users, ChatID: e.ChatID})
	if err != nil {
		// Made before a crash or a lost answer: the chat is there (and ours) if appchat/get finds it.
		if _, gerr := s.d.Client.AppChat.Get(ctx, e.ChatID); gerr != nil {
			return errors.Join(err, gerr)
		}
	}
	timeline, err := s.timeline(ctx, d, p)
	if err != nil {
		return err
	}
	msg, err := chatBody(e.ChatID, timeline)
	if err != nil {
		return err
	}
	done := &db.Escalation{Digest: d, Step: e.Step + 1, NextAt: s.now(), ChatID: e.ChatID, ChatState: "created"}
	err = s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.AddAlertDeliveries(ctx, d.ID, []*db.AlertDelivery{{Recipient: "chat:" + e.ChatID, Message: msg}}); err != nil {
			return err
		}
		if err := tx.SetEscalation(ctx, done); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: "sys", Command: "alerts war room", Args: map[string]string{
			"digest": strconv.FormatInt(d.ID, 10), "chat": e.ChatID}, Decision: db.DecisionOK,
			Result: fmt.Sprintf("created the war room with %d members: %s", len(users), strings.Join(users, ", "))})
	})
	if err == nil && s.d.Notify != nil {
		s.d.Notify()
	}
	return err
}

// timeline is what the war room reads first: the digest, its alerts, and who was reminded when.
func (s *Service) timeline(ctx context.Context, d *db.AlertDigest, p *i18n.Printer) (string, error) {
	alerts, err := s.d.DB.DigestAlerts(ctx, d.ID, 20)
	if err != nil {
		return "", err
	}
	steps, err := s.d.DB.ListAudit(ctx, db.AuditFilter{Actor: "sys", Command: "alerts escalate", Limit: 50})
	if err != nil {
		return "", err
	}
	b := replies.NewBuilder(p)
	b.Heading("War room: %s", d.Title)
	b.Para("Pushed to team %s at %s; nobody acknowledged it. Acknowledge it on any of its cards when someone takes it.",
		d.Team, d.CreatedAt.In(s.loc()).Format("01-02 15:04"))
	for _, a := range alerts {
		b.Item("%s · %s · %s", a.CreatedAt.In(s.loc()).Format("01-02 15:04"), a.Rule, SummaryIn(p, a))
	}
	id := strconv.FormatInt(d.ID, 10)
	for i := len(steps) - 1; i >= 0; i-- {
		if st := steps[i]; st.Args["digest"] == id {
			b.Item("%s · %s", st.At.In(s.loc()).Format("01-02 15:04"), st.Result)
		}
	}
	return b.Reply().Markdown, nil
}
