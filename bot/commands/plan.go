package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/wecombot/wecombot/bot/replies"
)

// Steps are a mutating command's functions around one plan: Plan reads and checks the invocation (and what
// it needs from WeCom) once, and Preview, Run and Reconcile each get its result instead of re-reading the
// arguments. The engine calls Plan once before each of them: when it proposes (Preview), when the member
// confirms (Run), and after a restart (Reconcile), since minutes or a crash may separate them.
type Steps[P any] struct {
	Plan    func(ctx context.Context, inv *Invocation) (P, error)
	Preview func(ctx context.Context, inv *Invocation, p P) (string, error)
	Run     func(ctx context.Context, inv *Invocation, p P) (*replies.Reply, error)
	// Reconcile reads the state back after a run cut off by a restart. The engine writes the header that
	// says so; Reconcile reports what WeCom shows now.
	Reconcile func(ctx context.Context, inv *Invocation, p P) (*replies.Reply, error)
}

// Mutating returns c marked as mutating, with Preview, Run and Reconcile built from s.
func (s Steps[P]) Mutating(c *Command) *Command {
	c.Mutates = true
	if s.Preview != nil {
		c.Preview = func(ctx context.Context, inv *Invocation) (string, error) {
			p, err := s.Plan(ctx, inv)
			if err != nil {
				return "", err
			}
			return s.Preview(ctx, inv, p)
		}
	}
	c.Run = func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
		p, err := s.Plan(ctx, inv)
		if err != nil {
			return nil, err
		}
		return s.Run(ctx, inv, p)
	}
	if s.Reconcile != nil {
		c.Reconcile = func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
			p, err := s.Plan(ctx, inv)
			if err != nil {
				return nil, err
			}
			return s.Reconcile(ctx, inv, p)
		}
	}
	return c
}

// Partial is the error a batch command returns with its reply when it did only some of what was asked: the
// member reads the reply as usual, and the audit trail records the run as partial, naming the failures,
// instead of ok.
type Partial struct {
	Failures []string // what failed, one short phrase each ("7HhN3l2: not awaiting confirmation")
}

func (p *Partial) Error() string {
	return fmt.Sprintf("%d failed: %s", len(p.Failures), strings.Join(p.Failures, "; "))
}
