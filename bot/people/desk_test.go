package people_test

// The people desk's commands (/vip, /whois and /convert, /staff, /order) run through commandtest's harness:
// the engine, the emulator and a database, as the bot runs them, with a real approval flow (bot/approvals) as
// the Decider. Each test checks what WeCom received (wecom-protocol.md §5) and what the member read.

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/approvals"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/people"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// The approval flow's config: none (the bot's default), or the approvers of cmd/bot's approvalsTOML (the
// 审批人 tag: zhangsan and zhaoliu).
var (
	noApprovers = config.Approvals{RemindAfter: config.Duration{Duration: 4 * time.Hour}}
	approvers   = config.Approvals{Approvers: []string{"tag:审批人"}, RemindAfter: config.Duration{Duration: 4 * time.Hour}}
)

// newHarness is a harness with the people desk's commands and the sample access config, deciding through an
// approval flow configured by cfg, wired as cmd/bot's newRouter wires it: it takes the applications the
// emulator's submit_vip_account_approval events bring, and runs (take-overs, reminders) until the test ends.
func newHarness(t *testing.T, cfg config.Approvals) *commandtest.Harness {
	t.Helper()
	var flow *approvals.Service
	h := commandtest.New(t, commandtest.Options{Commands: func(h *commandtest.Harness) []*commands.Command {
		var err error
		flow, err = approvals.New(cfg, approvals.Deps{Client: h.Client, DB: h.DB, Directory: h.Directory, Access: h.Access,
			Registry: h.Registry, Location: h.Location, Composer: replies.Composer{}}, h.CallbackURL)
		if err != nil {
			t.Fatal(err)
		}
		h.HandleEvents(flow, "submit_vip_account_approval", "finish_vip_account_approval")
		return people.Commands(people.Deps{Client: h.Client, DB: h.DB, Location: h.Location, Decider: flow, Names: access.NewNames(h.Client)})
	}})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- flow.Run(ctx) }()
	t.Cleanup(func() { // before the harness's own cleanup closes the database
		stop()
		if err := <-done; err != nil {
			t.Errorf("approvals.Run: %v", err)
		}
	})
	return h
}

// apply makes a member apply for an account through the emulator's control API, as WeCom would, and returns
// the apply_id; the flow has recorded the application when it returns.
func apply(t *testing.T, h *commandtest.Harness, from string, businessType int, reason string) string {
	t.Helper()
	out := h.Control("event", map[string]any{"from": from, "event": "submit_vip_account_approval",
		"business_type": businessType, "apply_reason": reason})
	id, _ := out["apply_id"].(string)
	if id == "" {
		t.Fatalf("no apply_id in %v", out)
	}
	return id
}

// detailCalls returns the set_approval_detail requests the emulator accepted for an application.
func detailCalls(h *commandtest.Harness, applyID string) []map[string]any {
	var out []map[string]any
	for _, c := range h.Emu.CallsTo("advanced_feature/set_approval_detail") {
		var body map[string]any
		json.Unmarshal(c.Body, &body)
		if body["apply_id"] == applyID && c.ErrCode == 0 {
			out = append(out, body)
		}
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// contains reports whether any reply holds sub.
func contains(replies []string, sub string) bool {
	for _, r := range replies {
		if strings.Contains(r, sub) {
			return true
		}
	}
	return false
}

// decodeCall decodes a call's JSON body.
func decodeCall(t *testing.T, c emulator.Call) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s body %q: %v", c.Path, c.Body, err)
	}
	return m
}

// lastBody returns the body of the last call to path.
func lastBody(t *testing.T, h *commandtest.Harness, path string) map[string]any {
	t.Helper()
	calls := h.Emu.CallsTo(path)
	if len(calls) == 0 {
		t.Fatalf("no call to %s", path)
	}
	return decodeCall(t, calls[len(calls)-1])
}

// lastQuery returns the query of the last GET to path.
func lastQuery(t *testing.T, h *commandtest.Harness, path string) url.Values {
	t.Helper()
	calls := h.Emu.CallsTo(path)
	if len(calls) == 0 {
		t.Fatalf("no call to %s", path)
	}
	q, _ := url.ParseQuery(calls[len(calls)-1].Query)
	return q
}

// decisions returns the audit decisions for a command, newest first.
func decisions(t *testing.T, h *commandtest.Harness, command string) []string {
	t.Helper()
	entries, err := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: command})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+":"+e.Decision)
	}
	return out
}

var fontTag = regexp.MustCompile(`</?font[^>]*>`)

// wants fails unless every piece is in the replies, read without their colours.
func wants(t *testing.T, what string, got []string, pieces ...string) {
	t.Helper()
	plain := make([]string, len(got))
	for i, g := range got {
		plain[i] = fontTag.ReplaceAllString(g, "")
	}
	for _, p := range pieces {
		if !contains(plain, p) {
			t.Fatalf("%s = %q; want it to say %q", what, got, p)
		}
	}
}

// seededApp returns a seeded application by applicant and status.
func seededApp(t *testing.T, h *commandtest.Harness, applicant string, status int) emulator.ApplicationState {
	t.Helper()
	for _, a := range h.Emu.Applications() {
		if a.Applicant == applicant && a.ApprovalStatus == status {
			return a
		}
	}
	t.Fatalf("no seeded application by %s with status %d", applicant, status)
	return emulator.ApplicationState{}
}

// command returns a registered command, to run its functions directly (Reconcile).
func command(t *testing.T, h *commandtest.Harness, path string) *commands.Command {
	t.Helper()
	c := h.Registry.Lookup(path)
	if c == nil {
		t.Fatalf("no command /%s", path)
	}
	return c
}

func invocation(c *commands.Command, caller string, args map[string][]string) *commands.Invocation {
	return &commands.Invocation{Command: c, Caller: &access.Caller{UserID: caller, Admin: true}, Args: args,
		Flags: map[string]string{}, Now: time.Now()}
}
