// Package approvals runs the advanced-feature account approval flow (design.md, "The approval flow"):
// a member's application is taken over within WeCom's 24-hour window by a durable job, approvers get button
// cards, and the first valid decision — a click or /order approve|reject — wins, exactly once.
package approvals

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/internal/retry"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Window is WeCom's limit for taking an application over: after it the application falls back to the
// non-API flow (DOC/99860).
const Window = 24 * time.Hour

// Deps are what the service works with.
type Deps struct {
	Client    *wecom.Client
	DB        *db.DB
	Directory access.Directory
	Access    *access.Control
	Registry  *commands.Registry // for the reason question after a Reject click (/order reject)
	Notify    func()             // wakes the outbox sender
	Logger    *slog.Logger
	Location  *time.Location
	Now       func() time.Time
	// Composer turns the service's replies into messages as every reply is turned: in text mode
	// (replies.format = "text", the WeChat plugin) plain text, and a textcard in place of each card.
	Composer replies.Composer
	// Langs says which language each member reads: cards, notices and reminders are written in each
	// recipient's, the page in its viewer's. Nil: English.
	Langs *i18n.Members
	// Names shows members as 张三 (zhangsan) on cards and in notices; nil shows bare userids.
	Names *access.Names
}

// Service is the approval flow.
type Service struct {
	// AuthorizeURL builds the OAuth link the approval page sends a visitor without a code to; nil is WeCom's
	// (OAuthService.AuthorizeURL, snsapi_base). `wecombot demo` points it at its stand-in for WeCom's login page.
	AuthorizeURL func(redirectURI, state string) string
	// VisitsPerMinute bounds the auth/getuserinfo calls the approval page makes, for all visitors together:
	// anyone can send it a code, so it must not let them spend the app's API quota. 0 is DefaultVisitsPerMinute.
	VisitsPerMinute int
	// StateTTL is how long a visitor has to come back from the OAuth login; 0 is DefaultStateTTL.
	StateTTL time.Duration

	cfgMu  sync.RWMutex
	cfg    config.Approvals // guarded by cfgMu
	d      Deps
	url    string // approval_url template with {apply_id}; "" when no page is configured
	wake   retry.Wake
	visits visitLimiter // getuserinfo calls from the page
}

// New returns the service. publicURL is callback.public_url, used for the default approval page URL: its origin
// + "/approvals/{apply_id}". With neither it nor cfg.URL there is no page to link to, and applications are not
// taken over (config validation requires one when approvers are configured).
func New(cfg config.Approvals, d Deps, publicURL string) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Location == nil {
		d.Location = time.FixedZone("CST", 8*3600)
	}
	if d.Notify == nil {
		d.Notify = func() {}
	}
	url := cfg.URL
	if url == "" && publicURL != "" {
		base := strings.TrimSuffix(publicURL, "/")
		if i := strings.Index(base, "://"); i >= 0 {
			if j := strings.Index(base[i+3:], "/"); j >= 0 {
				base = base[:i+3+j]
			}
		}
		url = base + "/approvals/{apply_id}"
	}
	if url != "" && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("approvals.url must be an http(s) URL, got %q", url)
	}
	if err := checkApprovers(cfg); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, d: d, url: url, wake: retry.NewWake()}, nil
}

// checkApprovers refuses an approver reference that could never name a member (a display name, a typo'd
// tag:), at start and on reload rather than when the first application arrives.
func checkApprovers(cfg config.Approvals) error {
	for _, m := range cfg.Approvers {
		if err := access.CheckRef("approvals.approvers", m, true); err != nil {
			return err
		}
	}
	for typ, ms := range cfg.ByType {
		for _, m := range ms {
			if err := access.CheckRef("approvals.by_type."+typ, m, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) notifyRunner() { s.wake.Notify() }

// config is the approvals section in force (Reload may replace it while the service runs).
func (s *Service) config() config.Approvals {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.cfg
}

// Reload takes new approvers and reminder settings (SIGHUP re-reads config.toml); applications already
// taken over keep the approvers their cards went to. The page's address cannot change while the bot runs: a
// changed approvals.url is refused, saying a restart is needed.
func (s *Service) Reload(cfg config.Approvals) error {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	if cfg.URL != s.cfg.URL {
		return fmt.Errorf("approvals.url changed: restart the bot to serve the page at its new address")
	}
	if err := checkApprovers(cfg); err != nil {
		return err
	}
	s.cfg = cfg
	return nil
}

// errNoPage refuses to report an application to WeCom without a page to link it to.
var errNoPage = errors.New("no approval page to link to: set callback.public_url (or approvals.url) in config.toml")

func (s *Service) approvalURL(applyID string) string {
	return strings.ReplaceAll(s.url, "{apply_id}", applyID)
}

// ApprovalID is the approval id the bot gives an application it takes over. WeCom fixes the pair for good
// (DOC/99880: "审批id和申请id是一一对应的，不可改变"), so it is derived from the apply_id, never generated.
func ApprovalID(applyID string) string { return "wecombot-" + applyID }

var typeNames = map[int]string{1: "mail", 2: "docs", 3: "drive", 4: "meetings"}

// approversFor resolves who gets the cards for a business type, without the applicant.
func (s *Service) approversFor(ctx context.Context, businessType int, applicant string) ([]string, error) {
	cfg := s.config()
	refs := cfg.Approvers
	if byType, ok := cfg.ByType[typeNames[businessType]]; ok {
		refs = byType
	}
	users, err := access.ExpandMembers(ctx, s.d.Directory, refs)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if !access.SameUser(u, applicant) {
			out = append(out, u)
		}
	}
	if len(out) > 100 {
		out = out[:100] // set_approval_detail takes at most 100 approvers a node
	}
	return out, nil
}

// HandleEvent handles submit_vip_account_approval, finish_vip_account_approval and clicks on approval cards.
func (s *Service) HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	switch m.Event {
	case "submit_vip_account_approval":
		if m.ApplyID == "" {
			return nil, inbox.Permanent(errors.New("submit_vip_account_approval without ApplyId"))
		}
		bt, _ := strconv.Atoi(strings.TrimSpace(m.BusinessType))
		submitted := time.Unix(m.CreateTime, 0)
		if m.CreateTime <= 0 {
			submitted = s.d.Now()
		}
		app := &db.Application{ApplyID: m.ApplyID, Applicant: m.FromUserName, BusinessType: bt, Reason: m.ApplyReason, SubmittedAt: submitted}
		s.notifyRunner() // the runner polls too; this only saves it a tick
		return func(ctx context.Context, tx *db.Tx) error { return tx.AddApplication(ctx, app) }, nil
	case "finish_vip_account_approval":
		return s.finish(ctx, m)
	case "template_card_event":
		return s.click(ctx, it, m)
	}
	return nil, nil
}

// Run takes applications over, reminds approvers and reconciles interrupted decisions until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	// Reminders and reconciliation run every 20 s, or more often for a short remind_after.
	every := 20 * time.Second
	if r := s.config().RemindAfter.Duration; r > 0 {
		every = max(min(every, r/2), 200*time.Millisecond)
	}
	var lastSweep time.Time
	for {
		if err := s.takeOverDue(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Error("approval take-over pass failed", slog.String("err", err.Error()))
		}
		if time.Since(lastSweep) >= every {
			lastSweep = time.Now()
			s.sweep(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-tick.C:
		}
	}
}

func (s *Service) takeOverDue(ctx context.Context) error {
	apps, err := s.d.DB.DueTakeovers(ctx, 20)
	if err != nil {
		return err
	}
	for _, app := range apps {
		s.takeOver(ctx, app)
	}
	return nil
}

// takeOver calls set_approval_detail with approval_status 1 and sends the approvers their cards. It is a
// durable job: the application row stays pending, with backoff, until it succeeds or the 24 h pass.
func (s *Service) takeOver(ctx context.Context, app *db.Application) {
	log := s.d.Logger.With(slog.String("apply_id", app.ApplyID))
	now := s.d.Now()
	if !now.Before(app.SubmittedAt.Add(Window)) {
		if ok, err := s.d.DB.LapseApplication(ctx, app.ApplyID, "not taken over within WeCom's 24 hours: "+app.LastError); err == nil && ok {
			log.Error("application lapsed: WeCom's 24-hour window passed before it could be taken over", slog.String("last_error", app.LastError))
			s.tellApprovers(ctx, app, func(p *i18n.Printer) string {
				return p.Markdownf("Application %s by %s could not be taken over within WeCom's 24 hours (%s). Decide it in the admin console (高级功能 → 成员申请管理).",
					bot.Markdown(replies.Code(app.ApplyID)), bot.Markdown(s.who(ctx, app.Applicant)), app.LastError)
			})
		}
		return
	}
	approvers, err := s.approversFor(ctx, app.BusinessType, app.Applicant)
	if err == nil && len(approvers) == 0 {
		err = errors.New("no approvers: set approvals.approvers in config.toml")
	}
	if err == nil && s.url == "" {
		err = errNoPage
	}
	if err == nil {
		err = s.d.Client.AdvancedFeature.SetApprovalDetail(ctx, &wecom.ApprovalDetail{
			ApplyID: app.ApplyID, ApprovalID: ApprovalID(app.ApplyID), ApprovalStatus: wecom.ApprovalInProgress,
			ApprovalURL: s.approvalURL(app.ApplyID),
			ProcessList: wecom.ApprovalProcess{NodeList: []wecom.ApprovalNode{{CurrentApprovers: approvers, CompletedApprovers: []string{},
				NodeApvStatus: wecom.ApprovalInProgress, NodeApvRel: wecom.NodeAnyMayApprove, ApvUpdateTime: now.Unix()}}},
		})
	}
	if err != nil {
		d := retry.Backoff(5*time.Second, 10*time.Minute, app.Attempts)
		log.Warn("approval take-over failed; will retry", slog.String("err", err.Error()), slog.Duration("in", d), slog.Int("attempt", app.Attempts+1))
		if rerr := s.d.DB.RetryTakeover(ctx, app.ApplyID, err.Error(), now.Add(d)); rerr != nil {
			log.Error("cannot record take-over failure", slog.String("err", rerr.Error()))
		}
		return
	}
	rows, err := s.cards(ctx, app, approvers)
	// The applicant learns it arrived and who decides it, instead of waiting in silence.
	ap := s.printer(ctx, app.Applicant)
	received := ap.Markdownf("Your application %s for an advanced-feature account (%s) was received. %s will decide it; you will be told here.", bot.Markdown(replies.Code(app.ApplyID)),
		s.typeText(ap, app.BusinessType), bot.Markdown(s.whoList(ctx, ap, approvers)))
	if err == nil {
		err = s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if err := tx.MarkTaken(ctx, app.ApplyID, approvers); err != nil {
				return err
			}
			for _, r := range rows {
				if err := tx.AddOutbox(ctx, r); err != nil {
					return err
				}
			}
			return s.addMarkdown(ctx, tx, app.Applicant, received, ref(app.ApplyID)+":received")
		})
	}
	if err != nil {
		// WeCom has it; the next pass calls set_approval_detail again (the same state: harmless) and retries.
		log.Error("taken over, but cannot record it", slog.String("err", err.Error()))
		s.d.DB.RetryTakeover(ctx, app.ApplyID, err.Error(), now.Add(5*time.Second))
		return
	}
	log.Info("application taken over", slog.Int("approvers", len(approvers)))
	s.d.Notify()
}

func ref(applyID string) string { return "approval:" + applyID }

// whoList writes members as "张三 (`zhangsan`) or `zhaoliu`", in p's language.
func (s *Service) whoList(ctx context.Context, p *i18n.Printer, users []string) string {
	cs := make([]string, len(users))
	for i, u := range users {
		cs[i] = s.who(ctx, u)
	}
	if len(cs) > 1 {
		return p.Sprintf("%s or %s", strings.Join(cs[:len(cs)-1], ", "), cs[len(cs)-1])
	}
	return strings.Join(cs, "")
}

// printer is the language userid reads (English without Langs).
func (s *Service) printer(ctx context.Context, userid string) *i18n.Printer {
	if s.d.Langs == nil {
		return i18n.For(i18n.En)
	}
	return i18n.For(s.d.Langs.Of(ctx, userid))
}

// defaultPrinter is the corp's language (replies.language), for a visitor not identified yet.
func (s *Service) defaultPrinter() *i18n.Printer {
	if s.d.Langs == nil {
		return i18n.For(i18n.En)
	}
	if s.d.Langs.Default == "" {
		return i18n.For(i18n.Zh)
	}
	return i18n.For(s.d.Langs.Default)
}

// name is the member's name from the address book (one walk an hour serves every card), "" when unknown or
// the same as the userid.
func (s *Service) name(ctx context.Context, userid string) string {
	if s.d.Names == nil || userid == "" {
		return ""
	}
	if n := s.d.Names.Of(ctx, userid); n != "" && !strings.EqualFold(n, userid) {
		return n
	}
	return ""
}

// who shows a member in markdown: 张三 (`zhangsan`), or `zhangsan` when the name is not known.
func (s *Service) who(ctx context.Context, userid string) string {
	if n := s.name(ctx, userid); n != "" {
		return replies.Escape(n) + " (" + replies.Code(userid) + ")"
	}
	return replies.Code(userid)
}

// whoText shows a member in plain text (cards): 张三 (zhangsan), or zhangsan.
func (s *Service) whoText(ctx context.Context, userid string) string {
	if n := s.name(ctx, userid); n != "" {
		return n + " (" + userid + ")"
	}
	return userid
}

// taskID is the card's task id: unique per application and approver, in WeCom's alphabet.
func taskID(applyID, approver string) string {
	sum := sha256.Sum256([]byte(applyID + "\x00" + approver))
	return "apv-" + hex.EncodeToString(sum[:16])
}

func (s *Service) typeText(p *i18n.Printer, bt int) string {
	return p.T(wecom.BusinessType(bt).String())
}

// The business types' names, for the catalogue (mail, docs and drive are the security desk's file sources).
var _ = i18n.N("meetings (会议)")

// cards builds each approver's card (and textcard fallback) as outbox rows.
func (s *Service) cards(ctx context.Context, app *db.Application, approvers []string) ([]*db.OutboxMessage, error) {
	var rows []*db.OutboxMessage
	submitted := app.SubmittedAt.In(s.d.Location).Format("2006-01-02 15:04")
	applicant := s.whoText(ctx, app.Applicant)
	for _, u := range approvers {
		p := s.printer(ctx, u)
		card := replies.ButtonCard(taskID(app.ApplyID, u), "高级功能账号申请", p.Sprintf("%s applies for an advanced-feature account", applicant),
			[]replies.Field{{Key: "申请人", Value: applicant}, {Key: "类型", Value: s.typeText(p, app.BusinessType)},
				{Key: "原因", Value: app.Reason}, {Key: "提交", Value: submitted}, {Key: "单号", Value: app.ApplyID}},
			[]replies.Button{{Text: p.T("同意 Approve"), Key: "approval:approve:" + app.ApplyID, Style: 1},
				{Text: p.T("驳回 Reject"), Key: "approval:reject:" + app.ApplyID, Style: 2}})
		card.CardAction = &wecom.CardAction{Type: wecom.CardLinkURL, URL: s.approvalURL(app.ApplyID)}
		card.Source = &wecom.CardSource{Desc: "wecombot"}
		tc := replies.TextCard("高级功能账号申请 "+app.ApplyID, []string{
			replies.Gray(submitted), "申请人 " + applicant + " · " + s.typeText(p, app.BusinessType), "原因 " + app.Reason,
			replies.Highlight(p.Sprintf("Reply /order approve %s or /order reject %s REASON", app.ApplyID, app.ApplyID))},
			s.approvalURL(app.ApplyID), "详情")
		r, err := s.rows(u, 0, ref(app.ApplyID), &replies.Reply{TemplateCard: card, Fallback: &replies.Reply{TextCard: &tc}})
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// rows composes r for one member and encodes it as outbox rows under refName: a card's row is refName itself
// (its updates find it there), a textcard's refName+":text".
func (s *Service) rows(to string, inboxID int64, refName string, r *replies.Reply) ([]*db.OutboxMessage, error) {
	var out []*db.OutboxMessage
	for _, m := range s.d.Composer.Messages(to, r) {
		body, err := s.d.Client.Message.Encode(m)
		if err != nil {
			return nil, err
		}
		row := &db.OutboxMessage{InboxID: inboxID, Recipient: to, API: "message/send", Body: body, Ref: refName}
		if m.TextCard != nil && refName != "" {
			row.Ref = refName + ":text"
		}
		out = append(out, row)
	}
	return out, nil
}

// tellApprovers sends a markdown note to the approvers of app (outside a callback), each in their language:
// md is written once per language.
func (s *Service) tellApprovers(ctx context.Context, app *db.Application, md func(*i18n.Printer) string) {
	to := app.Approvers
	if len(to) == 0 {
		var err error
		if to, err = s.approversFor(ctx, app.BusinessType, app.Applicant); err != nil {
			s.d.Logger.Error("cannot resolve approvers", slog.String("err", err.Error()))
			return
		}
	}
	texts := s.perLanguage(ctx, to, md)
	err := s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		for _, u := range to {
			if err := s.addMarkdown(ctx, tx, u, texts[u], ref(app.ApplyID)+":note"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.d.Logger.Error("cannot queue a note to the approvers", slog.String("err", err.Error()))
		return
	}
	s.d.Notify()
}

// perLanguage writes md for each member in their language, once per language: userid → text.
func (s *Service) perLanguage(ctx context.Context, users []string, md func(*i18n.Printer) string) map[string]string {
	byLang := map[*i18n.Printer]string{}
	out := map[string]string{}
	for _, u := range users {
		p := s.printer(ctx, u)
		t, ok := byLang[p]
		if !ok {
			t = md(p)
			byLang[p] = t
		}
		out[u] = t
	}
	return out
}

func (s *Service) addMarkdown(ctx context.Context, tx *db.Tx, to, md, refName string) error {
	rows, err := s.rows(to, 0, refName, &replies.Reply{Markdown: md})
	if err != nil {
		return err
	}
	return addAll(ctx, tx, rows)
}

// updateCards replaces the buttons of every sent card of the application with a note (who decided, or how
// WeCom closed it), and withdraws cards not sent yet.
//
// A textcard (text mode) cannot be updated: its recipients other than except (the decider, who has the
// answer already) are told in a message instead.
func (s *Service) updateCards(ctx context.Context, tx *db.Tx, applyID, note, except string) error {
	texts, err := s.d.DB.OutboxByRef(ctx, ref(applyID)+":text")
	if err != nil {
		return err
	}
	for _, m := range texts {
		if m.State == "pending" { // not shown yet: withdrawn, like a pending button card, and no note needed
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', last_error = 'withdrawn: decided before it was sent'
				WHERE id = ? AND state = 'pending'`, m.ID); err != nil {
				return err
			}
			continue
		}
		if m.State == "sent" && !access.SameUser(m.Recipient, except) {
			if err := s.addMarkdown(ctx, tx, m.Recipient, s.printer(ctx, m.Recipient).Markdownf("Advanced-feature account application %s: %s", bot.Markdown(replies.Code(applyID)), note),
				ref(applyID)+":note"); err != nil {
				return err
			}
		}
	}
	msgs, err := s.d.DB.OutboxByRef(ctx, ref(applyID))
	if err != nil {
		return err
	}
	for _, m := range msgs {
		switch {
		case m.State == "sent" && m.ResponseCode != "":
			body, err := s.d.Client.Message.EncodeUpdate(&wecom.UpdateTemplateCardRequest{UserIDs: []string{m.Recipient},
				ResponseCode: m.ResponseCode, Button: &wecom.UpdateButton{ReplaceName: note}})
			if err != nil {
				return err
			}
			if err := tx.AddOutbox(ctx, &db.OutboxMessage{Recipient: m.Recipient, API: "message/update_template_card", Body: body,
				Ref: ref(applyID) + ":update"}); err != nil {
				return err
			}
		case m.State == "pending":
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', last_error = 'withdrawn: decided before it was sent'
				WHERE id = ? AND state = 'pending'`, m.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Decide decides an application, exactly once: of concurrent decisions (two clicks, a click and a command)
// one claims it and the others are told who decided and when. It calls WeCom (set_approval_detail; on approval
// the account allocation) and records the outcome, updates every approver's card and tells the applicant.
// The returned text (CommonMark) is for the decider.
func (s *Service) Decide(ctx context.Context, applyID, approver string, approve bool, note string) (string, error) {
	app, err := s.d.DB.GetApplication(ctx, applyID)
	if err != nil {
		return "", err
	}
	if app == nil {
		return "", bot.Errorf(bot.ENOTFOUND, "Application %s is not one the bot took over (it may predate the bot, or use the admin console's own flow). See /order show %s.", applyID, applyID)
	}
	if access.SameUser(approver, app.Applicant) {
		return "", bot.Errorf(bot.EFORBIDDEN, "You cannot decide your own application.")
	}
	if s.url == "" {
		return "", bot.Wrap(bot.EUNAVAILABLE, errNoPage, "The bot has no approval page configured, so it cannot report decisions to WeCom. Ask an admin to set callback.public_url in config.toml.")
	}
	won, cur, err := s.d.DB.ClaimDecision(ctx, applyID, approver, note)
	if err != nil {
		return "", err
	}
	if !won {
		// Another decision is in flight (two approvers clicked at once): wait for it briefly, so the loser
		// hears how it ended rather than "being decided".
		for i := 0; i < 50 && cur != nil && cur.State == db.AppDeciding; i++ {
			select {
			case <-ctx.Done():
				return "", s.conflict(cur)
			case <-time.After(100 * time.Millisecond):
			}
			if next, err := s.d.DB.GetApplication(ctx, applyID); err == nil && next != nil {
				cur = next
			}
		}
		return "", s.conflict(cur)
	}
	status := wecom.ApprovalRejected
	if approve {
		status = wecom.ApprovalApproved
	}
	now := s.d.Now()
	err = s.d.Client.AdvancedFeature.SetApprovalDetail(ctx, &wecom.ApprovalDetail{
		ApplyID: applyID, ApprovalID: ApprovalID(applyID), ApprovalStatus: status, ApprovalURL: s.approvalURL(applyID),
		ProcessList: wecom.ApprovalProcess{NodeList: []wecom.ApprovalNode{{CurrentApprovers: []string{}, CompletedApprovers: []string{approver},
			NodeApvStatus: status, NodeApvRel: wecom.NodeAnyMayApprove, ApvUpdateTime: now.Unix()}}},
	})
	if err != nil {
		if rerr := s.d.DB.ReleaseDecision(context.WithoutCancel(ctx), applyID); rerr != nil {
			s.d.Logger.Error("cannot release a failed decision", slog.String("apply_id", applyID), slog.String("err", rerr.Error()))
		}
		if wecom.IsCode(err, wecom.CodeInvalidParameter) {
			// WeCom documents 40058 only as 不合法的参数 (DOC/90313) and set_approval_detail lists no causes; an
			// application WeCom has closed answers it too, so "try again" would be wrong: say where to look.
			return "", bot.Wrap(bot.EINVALID, err, "WeCom refused the decision on application %s (errcode 40058, 不合法的参数: WeCom does not accept a parameter of it and says no more; it may have been closed in WeCom). %s shows what WeCom reports for the application now.", bot.Markdown(replies.Code(applyID)),
				bot.Markdown(replies.Code("/order show "+applyID)))
		}
		return "", err
	}
	var alloc allocation
	if approve {
		alloc = s.allocate(ctx, app.Applicant)
	}
	if err := s.record(context.WithoutCancel(ctx), app, approver, approve, note, now, alloc, nil); err != nil {
		// WeCom has the decision; the sweep reconciles the row from get_approval_info.
		return "", bot.Wrap(bot.EINTERNAL, err, "the decision reached WeCom but could not be recorded")
	}
	s.d.Notify()
	return s.deciderText(ctx, i18n.From(ctx), app, approve, alloc, false), nil
}

// deciderText tells the decider how their decision ended, in p's language; resumed says the sweep finished
// it after a restart.
func (s *Service) deciderText(ctx context.Context, p *i18n.Printer, app *db.Application, approve bool, alloc allocation, resumed bool) string {
	id, who := bot.Markdown(replies.Code(app.ApplyID)), bot.Markdown(s.who(ctx, app.Applicant))
	var out string
	switch {
	case approve && resumed:
		out = p.Markdownf("Application %s by %s **approved** (your decision, finished after a restart).", id, who)
	case approve:
		out = p.Markdownf("Application %s by %s **approved**.", id, who)
	case resumed:
		out = p.Markdownf("Application %s by %s **rejected** (your decision, finished after a restart).", id, who)
	default:
		out = p.Markdownf("Application %s by %s **rejected**.", id, who)
	}
	if t := alloc.text(ctx, p); t != "" {
		out += " " + replies.Escape(t)
	}
	return out
}

// record stores a decision WeCom has (set_approval_detail answered ok) with how the allocation went, updates
// every approver's card and tells the applicant, in one transaction with also (when set). Decide calls it
// after its own call to WeCom; reconcile when a crash cut a decision off between WeCom's answer and this.
func (s *Service) record(ctx context.Context, app *db.Application, approver string, approve bool, note string, at time.Time,
	alloc allocation, also func(ctx context.Context, tx *db.Tx) error) error {
	applyID := app.ApplyID
	ap := s.printer(ctx, app.Applicant)
	allocation := alloc.text(ctx, nil) // stored, and shown on the page, in English
	state := db.AppRejected
	if approve {
		state = db.AppApproved
	}
	cardNote := fmt.Sprintf("%s · %s %s", map[bool]string{true: "已同意", false: "已驳回"}[approve], approver, at.In(s.d.Location).Format("01-02 15:04"))
	var toApplicant string
	if approve {
		toApplicant = ap.Markdownf("Your advanced-feature account application %s (%s) was **approved** by %s.", bot.Markdown(replies.Code(applyID)),
			s.typeText(ap, app.BusinessType), bot.Markdown(s.who(ctx, approver)))
		if t := alloc.text(ctx, ap); t != "" {
			toApplicant += "\n\n" + replies.Escape(t)
		}
	} else {
		toApplicant = ap.Markdownf("Your advanced-feature account application %s (%s) was **rejected** by %s.", bot.Markdown(replies.Code(applyID)),
			s.typeText(ap, app.BusinessType), bot.Markdown(s.who(ctx, approver)))
		if note != "" {
			toApplicant += "\n\n" + ap.Markdownf("Reason: %s", note)
		}
	}
	return s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.FinishDecision(ctx, applyID, state, allocation); err != nil {
			return err
		}
		if err := s.updateCards(ctx, tx, applyID, cardNote, approver); err != nil {
			return err
		}
		if err := s.addMarkdown(ctx, tx, app.Applicant, toApplicant, ref(applyID)+":applicant"); err != nil {
			return err
		}
		if also != nil {
			return also(ctx, tx)
		}
		return nil
	})
}

// conflict explains why an application cannot be decided now.
func (s *Service) conflict(a *db.Application) error {
	at := a.DecidedAt.In(s.d.Location).Format("2006-01-02 15:04")
	switch a.State {
	case db.AppApproved:
		return bot.Errorf(bot.ECONFLICT, "Application %s was already approved by %s at %s.", a.ApplyID, a.DecidedBy, at)
	case db.AppRejected:
		return bot.Errorf(bot.ECONFLICT, "Application %s was already rejected by %s at %s.", a.ApplyID, a.DecidedBy, at)
	case db.AppDeciding:
		return bot.Errorf(bot.ECONFLICT, "Application %s is being decided by %s right now.", a.ApplyID, a.DecidedBy)
	case db.AppClosed:
		switch a.FinishType {
		case 1:
			return bot.Errorf(bot.ECONFLICT, "Application %s was closed in WeCom (rejected by an admin).", a.ApplyID)
		case 2:
			return bot.Errorf(bot.ECONFLICT, "Application %s was closed in WeCom (account allocated).", a.ApplyID)
		case 3:
			return bot.Errorf(bot.ECONFLICT, "Application %s was closed in WeCom (withdrawn by the member).", a.ApplyID)
		}
		return bot.Errorf(bot.ECONFLICT, "Application %s was closed in WeCom (finished).", a.ApplyID)
	case db.AppLapsed:
		return bot.Errorf(bot.ECONFLICT, "Application %s was not taken over within WeCom's 24 hours; decide it in the admin console.", a.ApplyID)
	}
	return bot.Errorf(bot.ECONFLICT, "Application %s cannot be decided now (%s).", a.ApplyID, a.State)
}

// allocation is how allocating the applicant's account went, to be told in any language.
type allocation struct {
	outcome   int // 0: not tried
	applicant string
	job       string
	err       error
}

const (
	allocNone = iota
	allocError
	allocDone
	allocInvalid
	allocFailed
	allocRunning
)

// allocate gives the applicant an advanced-feature account and says how it went.
func (s *Service) allocate(ctx context.Context, applicant string) allocation {
	run, err := s.d.Client.VIP.Run(ctx, true, []string{applicant})
	if err != nil {
		return allocation{outcome: allocError, applicant: applicant, err: err}
	}
	a := allocation{applicant: applicant, job: run.JobID}
	switch run.Outcome(applicant) {
	case wecom.VIPDone:
		a.outcome = allocDone
	case wecom.VIPInvalid:
		a.outcome = allocInvalid
	case wecom.VIPFailed:
		a.outcome = allocFailed
	default:
		a.outcome = allocRunning
	}
	return a
}

// text says how the allocation went, in p's language (plain text; nil: English).
func (a allocation) text(ctx context.Context, p *i18n.Printer) string {
	switch a.outcome {
	case allocError:
		return p.Sprintf("The account could not be allocated: %s Retry with /vip add %s.",
			replies.Text(replies.Describe(i18n.With(ctx, p.Lang()), a.err)), a.applicant)
	case allocDone:
		return p.T("The account was allocated.")
	case allocInvalid:
		return p.Sprintf("The account could not be allocated: WeCom says %s is not a valid member.", a.applicant)
	case allocFailed:
		return p.Sprintf("The account could not be allocated (no seat left, or WeCom refused): retry with /vip add %s after freeing a seat.", a.applicant)
	case allocRunning:
		return p.Sprintf("The allocation job %s was still running; check with /vip list.", a.job)
	}
	return ""
}

// finish handles finish_vip_account_approval: WeCom closed the application (an admin rejected it, an account
// was allocated, the member withdrew it).
func (s *Service) finish(ctx context.Context, m *wecom.Inbound) (inbox.Effects, error) {
	ft, _ := strconv.Atoi(strings.Trim(strings.TrimSpace(m.FinishType), "<>"))
	app, err := s.d.DB.GetApplication(ctx, m.ApplyID)
	if err != nil {
		return nil, err
	}
	if app == nil {
		return nil, nil // not one of ours
	}
	note := "已结束 · " + map[int]string{1: "管理员驳回", 2: "已分配账号", 3: "申请已撤回"}[ft]
	return func(ctx context.Context, tx *db.Tx) error {
		if err := tx.CloseApplication(ctx, m.ApplyID, ft); err != nil {
			return err
		}
		if app.State == db.AppApproved || app.State == db.AppRejected {
			return nil // the cards already show the decision
		}
		return s.updateCards(ctx, tx, m.ApplyID, note, "")
	}, nil
}

// sweep reminds approvers of applications waiting too long and reconciles decisions cut off by a crash.
func (s *Service) sweep(ctx context.Context) {
	now := s.d.Now()
	if wait := s.config().RemindAfter.Duration; wait > 0 {
		apps, err := s.d.DB.AppsInState(ctx, db.AppTaken, 200)
		if err != nil && ctx.Err() == nil { // not at shutdown
			s.d.Logger.Error("reminder sweep failed", slog.String("err", err.Error()))
		}
		for _, a := range apps {
			last := a.TakenAt
			if a.RemindedAt.After(last) {
				last = a.RemindedAt
			}
			if now.Sub(last) < wait {
				continue
			}
			texts := s.perLanguage(ctx, a.Approvers, func(p *i18n.Printer) string {
				return p.Markdownf("Reminder: application %s by %s (%s) has waited %s for a decision. Reason: %s\n\nUse the card, or /order approve %s · /order reject %s REASON. WeCom's window closes at %s.",
					bot.Markdown(replies.Code(a.ApplyID)), bot.Markdown(s.who(ctx, a.Applicant)), s.typeText(p, a.BusinessType),
					now.Sub(a.SubmittedAt).Round(time.Minute).String(), a.Reason, bot.Markdown(a.ApplyID), bot.Markdown(a.ApplyID),
					a.SubmittedAt.Add(Window).In(s.d.Location).Format("01-02 15:04"))
			})
			err := s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				for _, u := range a.Approvers {
					if err := s.addMarkdown(ctx, tx, u, texts[u], ref(a.ApplyID)+":remind"); err != nil {
						return err
					}
				}
				return tx.MarkReminded(ctx, a.ApplyID)
			})
			if err != nil {
				s.d.Logger.Error("cannot queue a reminder", slog.String("apply_id", a.ApplyID), slog.String("err", err.Error()))
				continue
			}
			s.d.Notify()
		}
	}
	deciding, err := s.d.DB.AppsInState(ctx, db.AppDeciding, 50)
	if err != nil {
		return
	}
	for _, a := range deciding {
		if now.Sub(a.DecidedAt) < 2*time.Minute {
			continue // probably still running
		}
		s.reconcile(ctx, a)
	}
}

// reconcile reads an interrupted decision back from WeCom instead of repeating it.
func (s *Service) reconcile(ctx context.Context, a *db.Application) {
	info, err := s.d.Client.AdvancedFeature.GetApprovalInfo(ctx, a.ApplyID)
	if err != nil {
		s.d.Logger.Warn("cannot reconcile an interrupted decision yet", slog.String("apply_id", a.ApplyID), slog.String("err", err.Error()))
		return
	}
	var approve bool
	switch info.ApprovalStatus {
	case wecom.ApplicationApproved:
		approve = true
	case wecom.ApplicationRejected:
	default:
		s.d.Logger.Warn("an interrupted decision never reached WeCom; the application is open again", slog.String("apply_id", a.ApplyID))
		s.d.DB.ReleaseDecision(ctx, a.ApplyID)
		return
	}
	// WeCom has the decision: finish what the crash cut off, as Decide would have — allocate the account
	// (unless the applicant holds one already: the crash may have come after the allocation), update the
	// cards, tell the applicant, and tell the decider how their decision ended.
	var alloc allocation
	if approve {
		alloc = s.allocateOnce(ctx, a.Applicant)
	}
	toDecider := s.deciderText(ctx, s.printer(ctx, a.DecidedBy), a, approve, alloc, true)
	err = s.record(ctx, a, a.DecidedBy, approve, a.DecisionNote, a.DecidedAt, alloc, func(ctx context.Context, tx *db.Tx) error {
		return s.addMarkdown(ctx, tx, a.DecidedBy, toDecider, ref(a.ApplyID)+":decider")
	})
	if err != nil {
		s.d.Logger.Error("cannot record a reconciled decision; the next sweep retries", slog.String("apply_id", a.ApplyID), slog.String("err", err.Error()))
		return
	}
	s.d.Logger.Info("reconciled an interrupted decision from WeCom", slog.String("apply_id", a.ApplyID), slog.Bool("approved", approve))
	s.d.Notify()
}

// allocateOnce allocates the applicant's account unless WeCom lists them as holding one already.
func (s *Service) allocateOnce(ctx context.Context, applicant string) allocation {
	holders, err := s.d.Client.VIP.Holders(ctx)
	if err != nil {
		return allocation{outcome: allocError, applicant: applicant, err: err}
	}
	if slices.ContainsFunc(holders, func(u string) bool { return access.SameUser(u, applicant) }) {
		return allocation{outcome: allocDone, applicant: applicant}
	}
	return s.allocate(ctx, applicant)
}

// click handles a card button: approval:approve:ID or approval:reject:ID.
func (s *Service) click(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	parts := strings.SplitN(m.EventKey, ":", 3)
	if len(parts) != 3 || (parts[1] != "approve" && parts[1] != "reject") || parts[2] == "" {
		return nil, inbox.Permanent(fmt.Errorf("unknown approval card key %q", m.EventKey))
	}
	action, applyID, user := parts[1], parts[2], m.FromUserName
	p := i18n.From(ctx) // the clicker's language
	command := "order " + action
	args := map[string]string{"id": applyID, "via": "card"}
	var replyMD string
	var audit *db.AuditEntry
	caller, rerr := s.d.Access.Resolve(ctx, user)
	switch {
	case !caller.Can("order.approve"):
		replyMD = p.T("You are not allowed to decide applications: it needs the permission `order.approve`.")
		if rerr != nil {
			replyMD = p.T("I could not check your roles just now, so the decision was refused. Try again in a minute.")
		}
		audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionDenied, Result: "missing permission order.approve"}
	case action == "reject":
		// A rejection needs a reason: ask for it; the answer runs /order reject through the engine.
		app, err := s.d.DB.GetApplication(ctx, applyID)
		if err != nil {
			return nil, err
		}
		switch {
		case app == nil:
			replyMD = p.Error(bot.Errorf(bot.ENOTFOUND, "Application %s is not one the bot took over.", applyID))
		case access.SameUser(app.Applicant, user):
			replyMD = p.T("You cannot decide your own application.")
			audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionDenied, Result: "own application"}
		case app.State != db.AppTaken && app.State != db.AppPending:
			replyMD = p.Error(s.conflict(app))
		default:
			conv, err := s.askReason(user, applyID)
			if err != nil {
				return nil, inbox.Permanent(err)
			}
			md := p.Markdownf("Why reject %s? Reply with the reason (or /cancel).", bot.Markdown(replies.Code(applyID)))
			rows, err := s.replyRows(user, it.ID, md)
			if err != nil {
				return nil, inbox.Permanent(err)
			}
			return func(ctx context.Context, tx *db.Tx) error {
				if err := tx.PutConversation(ctx, conv); err != nil {
					return err
				}
				return addAll(ctx, tx, rows)
			}, nil
		}
	default:
		start := time.Now()
		out, err := s.Decide(ctx, applyID, user, true, "")
		switch {
		case err == nil:
			replyMD = out
			audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionOK, Result: "approved", Duration: time.Since(start)}
		case bot.ErrorCode(err) == bot.ECONFLICT || bot.ErrorCode(err) == bot.ENOTFOUND:
			replyMD = p.Error(err)
		case bot.ErrorCode(err) == bot.EFORBIDDEN:
			replyMD = p.Error(err)
			audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionDenied, Result: bot.ErrorText(err)}
		case bot.ErrorCode(err) == bot.EINVALID: // WeCom refused it for good: trying again would not help
			replyMD = p.Error(err)
			audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionFailed, ErrCode: wecom.ErrorCode(err),
				Result: err.Error(), Duration: time.Since(start)}
		default:
			replyMD = p.Markdownf("The approval failed: %s Try again, or use %s.", bot.Markdown(replies.Describe(ctx, err)),
				bot.Markdown(replies.Code("/order approve "+applyID)))
			audit = &db.AuditEntry{Actor: user, Command: command, Args: args, Decision: db.DecisionFailed, ErrCode: wecom.ErrorCode(err),
				Result: err.Error(), Duration: time.Since(start)}
		}
	}
	rows, err := s.replyRows(user, it.ID, replyMD)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	return func(ctx context.Context, tx *db.Tx) error {
		if audit != nil {
			audit.InboxID = it.ID
			if err := tx.AppendAudit(ctx, audit); err != nil {
				return err
			}
		}
		return addAll(ctx, tx, rows)
	}, nil
}

// askReason is the conversation that asks a Reject clicker for the reason, as /order reject ID would.
func (s *Service) askReason(user, applyID string) (*db.Conversation, error) {
	if s.d.Registry == nil || s.d.Registry.Lookup("order reject") == nil {
		return nil, errors.New("/order reject is not registered")
	}
	line, err := json.Marshal(map[string]any{"args": map[string][]string{"id": {applyID}}, "flags": map[string]string{}})
	if err != nil {
		return nil, err
	}
	now := s.d.Now()
	return &db.Conversation{UserID: user, Kind: db.ConvAsk, Command: "order reject", Line: line, Missing: "reason",
		CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}, nil
}

func (s *Service) replyRows(to string, inboxID int64, md string) ([]*db.OutboxMessage, error) {
	return s.rows(to, inboxID, "", &replies.Reply{Markdown: md})
}

func addAll(ctx context.Context, tx *db.Tx, rows []*db.OutboxMessage) error {
	for _, r := range rows {
		if err := tx.AddOutbox(ctx, r); err != nil {
			return err
		}
	}
	return nil
}
