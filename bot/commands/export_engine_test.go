package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// things is a list command whose rows the test sets.
func things(rows *[][]string, more *bool) func(h *commandtest.Harness) []*commands.Command {
	return func(h *commandtest.Harness) []*commands.Command {
		return []*commands.Command{{Path: "things", Summary: "list things", Perm: "audit.read",
			Run: func(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
				return replies.Say(inv.P, "%d things", len(*rows)), nil
			},
			CSV: func(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
				return &commands.Table{Name: "things", Header: []string{"a", "b"}, Rows: *rows, More: *more}, nil
			}}}
	}
}

func TestExport_engine(t *testing.T) {
	var rows [][]string
	more := false
	h := commandtest.New(t, commandtest.Options{Commands: things(&rows, &more)})

	// No rows: the command's own answer, no file, and the trail says so.
	if got := h.Say("zhangsan", "/things --csv"); len(got) != 1 || got[0] != "0 things" {
		t.Fatalf("no rows: %q; want the command's own answer", got)
	}
	if n := len(h.Emu.CallsTo("media/upload")); n != 0 {
		t.Fatalf("%d uploads for no rows", n)
	}

	// Rows: one file message; its bytes are the table.
	rows = [][]string{{"1", "x"}, {"2", "=y"}}
	got := h.Say("zhangsan", "/things --csv")
	if len(got) != 1 || !strings.HasPrefix(got[0], "[file ") {
		t.Fatalf("rows: %q; want one file message", got)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(got[0], "[file "), "]")
	data, name, ok := h.Emu.Media(id)
	want := "\xEF\xBB\xBFa,b\r\n1,x\r\n2,'=y\r\n"
	if !ok || string(data) != want || !strings.HasPrefix(name, "things-") {
		t.Fatalf("uploaded %q as %q; want %q", data, name, want)
	}

	// Over the row cap: refused, nothing uploaded.
	more = true
	if got := h.Say("zhangsan", "/things --csv"); len(got) != 1 || !strings.Contains(got[0], "100,000") {
		t.Fatalf("over the cap: %q", got)
	}
	more = false

	// No uploader: refused in words, not a crash.
	h.Engine.Files = nil
	if got := h.Say("zhangsan", "/things --csv"); len(got) != 1 || !strings.Contains(got[0], "without --csv") {
		t.Fatalf("no uploader: %q", got)
	}
	if n := len(h.Emu.CallsTo("media/upload")); n != 1 {
		t.Fatalf("%d uploads; want exactly the one", n)
	}

	// Every export is audited, though the command is not Audited: four rows, the file's with its hash.
	entries, err := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "things"})
	if err != nil || len(entries) != 4 {
		t.Fatalf("audit: %d entries, %v; want 4", len(entries), err)
	}
	var file string
	for _, e := range entries {
		if strings.HasPrefix(e.Result, "file ") {
			file = e.Result
		}
	}
	if !strings.Contains(file, "2 rows") || !strings.Contains(file, fmt.Sprintf("%d bytes", len(want))) || !strings.Contains(file, "sha256 ") {
		t.Fatalf("file audit = %q", file)
	}
	// Without --csv nothing changes: a page, no audit row.
	if got := h.Say("zhangsan", "/things"); len(got) != 1 || got[0] != "2 things" {
		t.Fatalf("without --csv: %q", got)
	}
	if entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "things"}); len(entries) != 4 {
		t.Fatalf("a plain /things was audited")
	}
}
