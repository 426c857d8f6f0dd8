package commands_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// TestSteps_planOncePerPhaseAndReconcileHeader: Preview, Run and Reconcile each get the plan, computed once
// per phase; after a restart the engine, not the command, says the run was interrupted.
func TestSteps_planOncePerPhaseAndReconcileHeader(t *testing.T) {
	t.Parallel()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	plans, runs := 0, 0
	type plan struct{ target string }
	cmd := commands.Steps[plan]{
		Plan: func(ctx context.Context, inv *commands.Invocation) (plan, error) {
			plans++
			return plan{target: strings.ToUpper(inv.Arg("target"))}, nil
		},
		Preview: func(ctx context.Context, inv *commands.Invocation, p plan) (string, error) {
			return "will poke " + p.target, nil
		},
		Run: func(ctx context.Context, inv *commands.Invocation, p plan) (*replies.Reply, error) {
			runs++
			return replies.Say(nil, "poked %s", p.target), nil
		},
		Reconcile: func(ctx context.Context, inv *commands.Invocation, p plan) (*replies.Reply, error) {
			return replies.Say(nil, "%s reads as poked", p.target), nil
		},
	}.Mutating(&commands.Command{Path: "poke", Summary: "poke", Perm: "poke.do", Args: []commands.Arg{{Name: "target"}}})
	r := commands.NewRegistry()
	r.Register(cmd)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	acc, err := access.New([]string{"zhangsan"}, nil, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := &commands.Engine{Registry: r, Access: acc, Store: d}
	say := func(text string, inbox int64) string {
		t.Helper()
		out, err := e.Handle(t.Context(), commands.Message{From: "zhangsan", Text: text, InboxID: inbox})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Tx(t.Context(), out.Effects); err != nil {
			t.Fatal(err)
		}
		var b []string
		for _, rep := range out.Replies {
			b = append(b, rep.Markdown)
			if rep.TemplateCard != nil { // a short preview is on the confirmation card itself
				b = append(b, rep.TemplateCard.SubTitleText)
			}
		}
		return strings.Join(b, "\n")
	}
	if got := say("/poke lisi", 1); !strings.Contains(got, "will poke LISI") || plans != 1 {
		t.Fatalf("preview = %q after %d plans; want the plan's words after one", got, plans)
	}
	if got := say("yes", 2); !strings.Contains(got, "poked LISI") || plans != 2 || runs != 1 {
		t.Fatalf("run = %q, %d plans, %d runs", got, plans, runs)
	}
	// The same callback replayed after a crash (its intent recorded, not finished) is reconciled, not rerun.
	if _, err := d.BeginIntent(t.Context(), &db.Intent{InboxID: 3, Actor: "zhangsan", Command: "poke", Args: "{}"}); err != nil {
		t.Fatal(err)
	}
	say("/poke wangwu", 4)
	got := say("yes", 3)
	if runs != 1 || !strings.Contains(got, "/poke was interrupted by a restart, so it was not repeated") ||
		!strings.Contains(got, "WANGWU reads as poked") {
		t.Fatalf("reconcile = %q (%d runs); want the engine's header over the command's state, and no run", got, runs)
	}
}
