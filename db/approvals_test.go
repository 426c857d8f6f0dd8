package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// TestFinishDecision_closedWhileDeciding: WeCom's finish event for an application arrives while the bot's
// decision on it is in flight (WeCom closes an application once its account is allocated): the decision is
// recorded under the close, not lost; a finish for an application nobody is deciding is refused, so a second
// recording of one decision keeps nothing of its transaction.
func TestFinishDecision_closedWhileDeciding(t *testing.T) {
	d, _ := MustOpen(t)
	ctx := t.Context()
	add := func(id string) {
		if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.AddApplication(ctx, &db.Application{ApplyID: id, Applicant: "sunqi", BusinessType: 1, Reason: "r", SubmittedAt: time.Unix(1_700_000_000, 0)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	add("ap1")
	if won, _, err := d.ClaimDecision(ctx, "ap1", "zhaoliu", ""); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.CloseApplication(ctx, "ap1", 2) }); err != nil {
		t.Fatal(err)
	}
	finish := func(id string) error {
		return d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.FinishDecision(ctx, id, db.AppApproved, "The account was allocated.")
		})
	}
	if err := finish("ap1"); err != nil {
		t.Fatalf("finishing a decision WeCom closed meanwhile: %v", err)
	}
	a, _ := d.GetApplication(ctx, "ap1")
	if a.State != db.AppApproved || a.DecidedBy != "zhaoliu" || a.FinishType != 2 || a.Allocation == "" {
		t.Fatalf("after the close and the finish: %+v; want approved by zhaoliu, finish type 2 kept", a)
	}
	if err := finish("ap1"); !errors.Is(err, db.ErrNotDeciding) {
		t.Fatalf("a second finish of one decision: %v; want ErrNotDeciding", err)
	}
	add("ap2") // closed by WeCom with no decision in flight, then a failed decision released: stays closed
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.CloseApplication(ctx, "ap2", 3) }); err != nil {
		t.Fatal(err)
	}
	if err := finish("ap2"); !errors.Is(err, db.ErrNotDeciding) {
		t.Fatalf("finishing a closed application nobody decided: %v; want ErrNotDeciding", err)
	}
	add("ap3") // claimed, closed meanwhile, and WeCom refused the decision: released, it stays closed
	d.ClaimDecision(ctx, "ap3", "zhaoliu", "")
	d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.CloseApplication(ctx, "ap3", 3) })
	if err := d.ReleaseDecision(ctx, "ap3"); err != nil {
		t.Fatal(err)
	}
	if a, _ := d.GetApplication(ctx, "ap3"); a.State != db.AppClosed || a.DecidedBy != "" {
		t.Fatalf("released after a close: %+v; want closed, nobody deciding", a)
	}
}
