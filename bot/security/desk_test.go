package security_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/security"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// The security desk's commands (/devices, /oplog, /domainip) run through commandtest's harness: the engine,
// the emulator and a database, as the bot runs them. Each test checks both what WeCom received and what the
// member read.

// newHarness is a harness with the security desk's commands and the sample access config (wujiu holds
// devices.*, oplog.* and domainip.* through the 安全管理员 tag; zhangsan is an admin).
func newHarness(t *testing.T) *commandtest.Harness {
	t.Helper()
	return commandtest.New(t, commandtest.Options{Commands: func(h *commandtest.Harness) []*commands.Command {
		return security.Commands(security.Deps{Client: h.Client, DB: h.DB, Location: h.Location, Names: access.NewNames(h.Client)})
	}})
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

// callsSince returns the calls to path made since the first n.
func callsSince(h *commandtest.Harness, path string, n int) []emulator.Call {
	calls := h.Emu.CallsTo(path)
	if n > len(calls) {
		return nil
	}
	return calls[n:]
}

// decode decodes a call's JSON body into v, failing the test if it is not JSON.
func decode(t *testing.T, c emulator.Call, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Body, v); err != nil {
		t.Fatalf("%s body %s: %v", c.Path, c.Body, err)
	}
}

// says fails unless every sub is in the replies.
func says(t *testing.T, got []string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !contains(got, sub) {
			t.Fatalf("reply lacks %q:\n%s", sub, strings.Join(got, "\n---\n"))
		}
	}
}

// saysNot fails if any sub is in the replies.
func saysNot(t *testing.T, got []string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if contains(got, sub) {
			t.Fatalf("reply has %q:\n%s", sub, strings.Join(got, "\n---\n"))
		}
	}
}

// devices reads a device list straight from the emulator (through the harness's client).
func devices(t *testing.T, h *commandtest.Harness, typ wecom.DeviceType) []wecom.Device {
	t.Helper()
	devs, err := wecom.Collect(h.Client.Security.AllDevices(t.Context(), typ), 0)
	if err != nil {
		t.Fatal(err)
	}
	return devs
}

// device finds a device by its PC name or (unmasked) serial number.
func device(t *testing.T, h *commandtest.Harness, typ wecom.DeviceType, name string) wecom.Device {
	t.Helper()
	for _, d := range devices(t, h, typ) {
		if d.PCName == name || d.SeqNo == name {
			return d
		}
	}
	t.Fatalf("no device %q on list %d", name, typ)
	return wecom.Device{}
}

// deviceByCode finds a device on any list; ok is false when it is on none.
func deviceByCode(t *testing.T, h *commandtest.Harness, code string) (wecom.Device, wecom.DeviceType, bool) {
	t.Helper()
	for _, typ := range []wecom.DeviceType{1, 2, 3} {
		for _, d := range devices(t, h, typ) {
			if d.DeviceCode == code {
				return d, typ, true
			}
		}
	}
	return wecom.Device{}, 0, false
}

// auditDecisions lists the decisions of the audit entries for exactly command, newest first.
func auditDecisions(t *testing.T, h *commandtest.Harness, actor, command string) []string {
	t.Helper()
	entries, err := h.DB.ListAudit(t.Context(), db.AuditFilter{Actor: actor, Command: command, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Command == command {
			out = append(out, e.Decision)
		}
	}
	return out
}

// interrupt records an open intent for the next message the harness will hand the engine, as a run cut off by a crash
// after its intent was committed leaves behind: the engine must reconcile instead of calling WeCom.
func interrupt(t *testing.T, h *commandtest.Harness, actor, command string) {
	t.Helper()
	prior, err := h.DB.BeginIntent(t.Context(), &db.Intent{InboxID: h.NextInboxID(), Actor: actor, Command: command, Args: "{}"})
	if err != nil || prior != nil {
		t.Fatalf("BeginIntent: %v, %v", prior, err)
	}
}
