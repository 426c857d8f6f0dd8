package db_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

func TestSnapshots(t *testing.T) {
	t.Parallel()
	t.Run("NoneYet", func(t *testing.T) {
		t.Parallel()
		d, _ := MustOpen(t)
		body, at, ok, err := d.LatestSnapshot(t.Context(), "domainip")
		if err != nil || ok || body != nil || !at.IsZero() {
			t.Fatalf("LatestSnapshot on an empty table = %q, %v, %v, %v; want nothing", body, at, ok, err)
		}
	})
	t.Run("LatestWinsPerKind", func(t *testing.T) {
		t.Parallel()
		d, now := MustOpen(t)
		save := func(kind, body string) {
			t.Helper()
			if err := d.SaveSnapshot(t.Context(), kind, []byte(body)); err != nil {
				t.Fatalf("SaveSnapshot(%q, %s): %v", kind, body, err)
			}
		}
		save("domainip", `{"n":1}`)
		first := *now
		*now = now.Add(time.Hour)
		save("other", `{"n":"x"}`)
		*now = now.Add(time.Hour)
		save("domainip", `{"n":2}`)
		body, at, ok, err := d.LatestSnapshot(t.Context(), "domainip")
		if err != nil || !ok || string(body) != `{"n":2}` || !at.Equal(*now) {
			t.Fatalf("LatestSnapshot(domainip) = %s, %v, %v, %v; want {\"n\":2} at %v", body, at, ok, err, *now)
		}
		// The clock going back does not make an older snapshot the latest: order is insertion order.
		*now = first.Add(-time.Hour)
		save("domainip", `{"n":3}`)
		if body, _, _, _ := d.LatestSnapshot(t.Context(), "domainip"); string(body) != `{"n":3}` {
			t.Fatalf("after a clock step back, latest = %s; want {\"n\":3}", body)
		}
		if body, _, ok, _ := d.LatestSnapshot(t.Context(), "other"); !ok || string(body) != `{"n":"x"}` {
			t.Fatalf("LatestSnapshot(other) = %s, %v", body, ok)
		}
	})
	t.Run("KeepsLatestN", func(t *testing.T) {
		t.Parallel()
		d, now := MustOpen(t)
		for i := 1; i <= db.SnapshotsKept+5; i++ {
			*now = now.Add(time.Minute)
			if err := d.SaveSnapshot(t.Context(), "domainip", fmt.Appendf(nil, `{"n":%d}`, i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.SaveSnapshot(t.Context(), "other", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		var n, oldest int
		if err := d.SQL().QueryRow(`SELECT COUNT(*), MIN(json_extract(body, '$.n')) FROM snapshots WHERE kind = 'domainip'`).
			Scan(&n, &oldest); err != nil {
			t.Fatal(err)
		}
		if n != db.SnapshotsKept || oldest != 6 {
			t.Fatalf("kept %d snapshots, oldest n=%d; want %d, oldest n=6", n, oldest, db.SnapshotsKept)
		}
		if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM snapshots WHERE kind = 'other'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("other kind: %d rows, %v; pruning one kind must not touch another", n, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		d, _ := MustOpen(t)
		for _, tc := range []struct {
			kind, body string
		}{
			{"", `{}`},
			{"domainip", `not json`},
			{"domainip", ``},
			{"domainip", `{"big":"` + strings.Repeat("a", db.MaxSnapshotBytes) + `"}`},
		} {
			if err := d.SaveSnapshot(t.Context(), tc.kind, []byte(tc.body)); err == nil {
				t.Errorf("SaveSnapshot(%q, %.20q) = nil; want an error", tc.kind, tc.body)
			}
		}
		if _, _, ok, _ := d.LatestSnapshot(t.Context(), "domainip"); ok {
			t.Fatalf("a refused snapshot was stored")
		}
	})
}
