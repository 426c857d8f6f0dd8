package approvals

// The test harness: the Service over its real parts — the WeCom emulator, a wecom.Client against it, a SQLite
// file, access control over the emulator's directory and the command registry with /order — driven as the
// router drives it: each callback is an inbox row, HandleEvent's effects complete it in one transaction, and
// what the service queued is read back from the outbox. No callback endpoint, inbox processor or outbox
// sender runs: the emulator's callbacks land in a capture handler, and flush sends the outbox by hand.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/people"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// publicURL is callback.public_url in these tests: the approval page is https://bot.example.com/approvals/ID.
const publicURL = "https://bot.example.com/wecom/callback"

// pageURL is the approval page of an application.
func pageURL(applyID string) string { return "https://bot.example.com/approvals/" + applyID }

// The sample organisation's approvers (tag 审批人): zhangsan and zhaoliu. lisi, wangwu and sunqi are not.
var defaultConfig = config.Approvals{Approvers: []string{"tag:审批人"}}

type harness struct {
	t      *testing.T
	emu    *wecomtest.Server
	client *wecom.Client
	db     *db.DB
	access *access.Control
	reg    *commands.Registry
	svc    *Service

	callbacks chan []byte  // plaintext XML of the callbacks the emulator delivered
	skew      atomic.Int64 // added to the wall clock for the service's Now
	notified  atomic.Int32 // Deps.Notify calls
	keys      atomic.Int64 // inbox dedupe keys
}

type harnessOptions struct {
	cfg    config.Approvals
	text   bool // replies.format = "text"
	noPage bool // neither callback.public_url nor approvals.url
	zh     bool // every member reads Chinese (Deps.Langs with no store, default zh)
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, callbacks: make(chan []byte, 1)}
	// The emulator delivers callbacks here; the plaintext is handed to the service by the test.
	cr, err := wecom.NewCrypter(emulator.DefaultToken, emulator.DefaultAESKey, emulator.DefaultCorpID)
	if err != nil {
		t.Fatal(err)
	}
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		_, plain, err := cr.DecryptMessage(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case h.callbacks <- plain:
		default:
			http.Error(w, "the previous callback was not taken", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(capture.Close)
	h.emu = wecomtest.NewServer(t, emulator.Options{CallbackURL: capture.URL})
	h.client, err = wecom.NewClient(wecom.Config{CorpID: emulator.DefaultCorpID, Secret: emulator.DefaultSecret,
		AgentID: emulator.DefaultAgentID, BaseURL: h.emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	h.db, err = db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	h.db.Now = h.now // the service and its rows share one clock (the emulator keeps the wall clock)
	dir := access.WeCom(h.client)
	h.access, err = access.New(nil, []access.Role{{Name: "approvers", Members: []string{"tag:审批人"}, Perms: []string{"order.*"}}}, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := opts.cfg
	if cfg.Approvers == nil && cfg.ByType == nil {
		cfg.Approvers = defaultConfig.Approvers
	}
	public := publicURL
	if opts.noPage {
		public = ""
	}
	h.reg = commands.NewRegistry()
	var langs *i18n.Members
	if opts.zh {
		langs = &i18n.Members{Default: i18n.Zh}
	}
	h.svc, err = New(cfg, Deps{Langs: langs, Client: h.client, DB: h.db, Directory: dir, Access: h.access, Registry: h.reg,
		Notify: func() { h.notified.Add(1) }, Location: replies.China,
		Now:      h.now,
		Composer: replies.Composer{Text: opts.text}}, public)
	if err != nil {
		t.Fatal(err)
	}
	h.reg.Register(people.Commands(people.Deps{Client: h.client, DB: h.db, Location: replies.China, Decider: h.svc})...)
	if err := h.reg.Err(); err != nil {
		t.Fatal(err)
	}
	return h
}

// now is the clock of the service and the database: the wall clock, moved on by advance.
func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.skew.Load())) }

// advance moves the service's and the database's clock (not the emulator's) d ahead.
func (h *harness) advance(d time.Duration) { h.skew.Add(int64(d)) }

// event asks the emulator's control API for an event (as a member or WeCom would cause it) and returns the
// control answer and the callback the emulator delivered for it.
func (h *harness) event(ev map[string]any) (map[string]any, []byte) {
	h.t.Helper()
	code, out := h.control("event", ev)
	if code != http.StatusOK || out["status"] != 200.0 {
		h.t.Fatalf("control event %v: HTTP %d %v", ev, code, out)
	}
	select {
	case xml := <-h.callbacks:
		return out, xml
	default:
		h.t.Fatalf("control event %v: no callback delivered", ev)
		return nil, nil
	}
}

// control posts to the emulator's control API.
func (h *harness) control(path string, body any) (int, map[string]any) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(h.emu.URL+"/_emulator/"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// handle runs a callback through the service as the router does: stored as an inbox row, handled, and
// completed with its effects in one transaction. It returns the inbox row's id.
func (h *harness) handle(xml []byte) (int64, error) {
	h.t.Helper()
	ctx := h.t.Context()
	m, err := wecom.ParseInbound(xml)
	if err != nil {
		h.t.Fatalf("the emulator's callback does not parse: %v\n%s", err, xml)
	}
	key := fmt.Sprintf("test-%d", h.keys.Add(1))
	if _, err := h.db.Enqueue(ctx, &db.InboxItem{Key: key, From: m.FromUserName, Kind: "event:" + m.Event, Payload: xml}); err != nil {
		h.t.Fatal(err)
	}
	items, err := h.db.ClaimInbox(ctx, 10)
	if err != nil || len(items) != 1 || items[0].Key != key {
		h.t.Fatalf("claim: %+v, %v; want the one row just stored", items, err)
	}
	it := &items[0]
	eff, err := h.svc.HandleEvent(ctx, it, m)
	if err != nil {
		if ferr := h.db.FailInbox(ctx, it.ID, err.Error()); ferr != nil {
			h.t.Fatal(ferr)
		}
		return it.ID, err
	}
	if err := h.db.CompleteInbox(ctx, it.ID, eff); err != nil {
		h.t.Fatalf("completing the callback: %v", err)
	}
	return it.ID, nil
}

// mustHandle is handle for callbacks that must succeed.
func (h *harness) mustHandle(xml []byte) int64 {
	h.t.Helper()
	id, err := h.handle(xml)
	if err != nil {
		h.t.Fatalf("HandleEvent: %v\n%s", err, xml)
	}
	return id
}

// apply makes a member apply for an account in WeCom and hands the submit_vip_account_approval callback to
// the service; it returns the apply_id.
func (h *harness) apply(from string, businessType int, reason string) string {
	h.t.Helper()
	out, xml := h.event(map[string]any{"from": from, "event": "submit_vip_account_approval", "business_type": businessType,
		"apply_reason": reason})
	id, _ := out["apply_id"].(string)
	if id == "" {
		h.t.Fatalf("no apply_id in %v", out)
	}
	h.mustHandle(xml)
	return id
}

// takeOver runs one take-over pass, as Run does on every tick.
func (h *harness) takeOver() {
	h.t.Helper()
	if err := h.svc.takeOverDue(h.t.Context()); err != nil {
		h.t.Fatalf("take-over pass: %v", err)
	}
}

// applyTaken is apply and a take-over pass, checking the application was taken over.
func (h *harness) applyTaken(from string, businessType int, reason string) string {
	h.t.Helper()
	id := h.apply(from, businessType, reason)
	h.takeOver()
	if app := h.app(id); app.State != db.AppTaken {
		h.t.Fatalf("application %s is %s after the take-over pass (last error %q); want taken", id, app.State, app.LastError)
	}
	return id
}

// click clicks a button of the approval card user received, through the control API (which checks that user
// got that card, and issues the click's response_code as WeCom does), and hands the callback to the service.
func (h *harness) click(user, applyID, action string) (int64, error) {
	h.t.Helper()
	task := h.deliveredCard(user, applyID)
	if task == "" {
		h.t.Fatalf("%s received no approval card for %s", user, applyID)
	}
	_, xml := h.event(map[string]any{"from": user, "event": "template_card_event", "event_key": "approval:" + action + ":" + applyID,
		"task_id": task, "card_type": "button_interaction"})
	return h.handle(xml)
}

// forgedClick is a card click WeCom never issued a card for (delivered as the emulator builds it).
func (h *harness) forgedClick(user, key string) []byte {
	return h.emu.TemplateCardEvent(user, emulator.CardEvent{EventKey: key, TaskID: "forged", CardType: "button_interaction"})
}

// deliveredCard returns the task_id of the approval card the emulator delivered to user, or "".
func (h *harness) deliveredCard(user, applyID string) string {
	for _, m := range h.emu.Delivered(user) {
		if m.MsgType != "template_card" {
			continue
		}
		if b := decodeBody(h.t, m.Body); slices.Contains(b.buttonKeys(), "approval:approve:"+applyID) {
			return m.TaskID
		}
	}
	return ""
}

// flush sends every pending outbox row to the emulator, as the outbox sender does, and records the outcome
// (a card's response_code among it). WeCom refusing a row fails the test: the service queued a bad message.
func (h *harness) flush() {
	h.t.Helper()
	ctx := h.t.Context()
	for {
		msgs, err := h.db.ClaimOutbox(ctx, 100)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			if err := h.db.BeginOutboxAttempts(ctx, []int64{m.ID}); err != nil {
				h.t.Fatal(err)
			}
			var res struct {
				MsgID        string `json:"msgid"`
				ResponseCode string `json:"response_code"`
			}
			if err := h.client.PostJSON(ctx, m.API, json.RawMessage(m.Body), &res); err != nil {
				h.t.Fatalf("WeCom refused outbox row %d (%s to %s, ref %q): %v\n%s", m.ID, m.API, m.Recipient, m.Ref, err, m.Body)
			}
			if err := h.db.MarkOutboxSent(ctx, m.ID, res.MsgID, res.ResponseCode); err != nil {
				h.t.Fatal(err)
			}
		}
	}
}

// outbox returns the outbox rows under ref, oldest first.
func (h *harness) outbox(ref string) []db.OutboxMessage {
	h.t.Helper()
	rows, err := h.db.OutboxByRef(h.t.Context(), ref)
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

// replies returns the bodies of the outbox rows answering inbox row inboxID.
func (h *harness) replies(inboxID int64) []body {
	h.t.Helper()
	rows, err := h.db.SQL().QueryContext(h.t.Context(), `SELECT body FROM outbox WHERE inbox_id = ? ORDER BY id`, inboxID)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []body
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, decodeBody(h.t, b))
	}
	return out
}

// app reads the application's row.
func (h *harness) app(applyID string) *db.Application {
	h.t.Helper()
	a, err := h.db.GetApplication(h.t.Context(), applyID)
	if err != nil || a == nil {
		h.t.Fatalf("application %s: %+v, %v", applyID, a, err)
	}
	return a
}

// detailCalls returns the set_approval_detail requests WeCom accepted for an application.
func (h *harness) detailCalls(applyID string) []approvalDetail {
	var out []approvalDetail
	for _, c := range h.emu.CallsTo("advanced_feature/set_approval_detail") {
		var d approvalDetail
		if err := json.Unmarshal(c.Body, &d); err != nil {
			h.t.Fatalf("set_approval_detail body %s: %v", c.Body, err)
		}
		if d.ApplyID == applyID && c.ErrCode == 0 {
			out = append(out, d)
		}
	}
	return out
}

// approvalDetail is a set_approval_detail request as it reached WeCom.
type approvalDetail struct {
	ApplyID        string `json:"apply_id"`
	ApprovalID     string `json:"approval_id"`
	ApprovalStatus int    `json:"approval_status"`
	ApprovalURL    string `json:"approval_url"`
	ProcessList    struct {
		NodeList []struct {
			CurrentApprovers   []string `json:"current_approvers"`
			CompletedApprovers []string `json:"completed_approvers"`
			NodeApvStatus      int      `json:"node_apv_status"`
			NodeApvRel         int      `json:"node_apv_rel"`
			ApvUpdateTime      int64    `json:"apv_update_time"`
		} `json:"node_list"`
	} `json:"process_list"`
}

// body is an outbox row's request body: message/send or message/update_template_card.
type body struct {
	ToUser   string `json:"touser"`
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
	Text struct {
		Content string `json:"content"`
	} `json:"text"`
	TextCard struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		URL         string `json:"url"`
	} `json:"textcard"`
	TemplateCard struct {
		CardType   string `json:"card_type"`
		TaskID     string `json:"task_id"`
		ButtonList []struct {
			Text string `json:"text"`
			Key  string `json:"key"`
		} `json:"button_list"`
		CardAction struct {
			Type int    `json:"type"`
			URL  string `json:"url"`
		} `json:"card_action"`
	} `json:"template_card"`
	// update_template_card
	UserIDs      []string `json:"userids"`
	ResponseCode string   `json:"response_code"`
	Button       struct {
		ReplaceName string `json:"replace_name"`
	} `json:"button"`
}

func decodeBody(t *testing.T, b []byte) body {
	t.Helper()
	var out body
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("outbox body %s: %v", b, err)
	}
	return out
}

func (b body) buttonKeys() []string {
	var keys []string
	for _, btn := range b.TemplateCard.ButtonList {
		keys = append(keys, btn.Key)
	}
	return keys
}

// content is what a markdown or text message says.
func (b body) content() string { return b.Markdown.Content + b.Text.Content }

// contents joins what the messages say, for failure messages and substring checks.
func contents(bs []body) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, b.content())
	}
	return strings.Join(parts, "\n---\n")
}

// bodies decodes outbox rows' bodies.
func bodies(t *testing.T, rows []db.OutboxMessage) []body {
	t.Helper()
	out := make([]body, len(rows))
	for i, r := range rows {
		out[i] = decodeBody(t, r.Body)
	}
	return out
}

func recipients(rows []db.OutboxMessage) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Recipient
	}
	slices.Sort(out)
	return out
}
