package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/wecombot/wecombot/bot/replies"
)

func TestEncodeCSV_bomHeaderQuotingAndFormulas(t *testing.T) {
	tb := &Table{Header: []string{"时间", "详情"}, Rows: [][]string{
		{"2026-12-01 09:00:00", `新设备登录：Windows, "办公室"` + "\n第二行"},
		{"=HYPERLINK(\"x\")", "+1"},
		{"-12.5", "@sum"},
		{"-x", ""},
	}}
	data, err := EncodeCSV(tb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no BOM: %q", data[:8])
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("want CRLF line ends (RFC 4180)")
	}
	got, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"时间", "详情"}, {"2026-12-01 09:00:00", `新设备登录：Windows, "办公室"` + "\n第二行"},
		{"'=HYPERLINK(\"x\")", "+1"}, {"-12.5", "'@sum"}, {"'-x", ""}}
	if len(got) != len(want) {
		t.Fatalf("read back %d records; want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("record %d = %q; want %q", i, got[i], want[i])
		}
	}
}

func TestRegister_csvAddsTheFlagAndNeedsAPermission(t *testing.T) {
	run := func(context.Context, *Invocation) (*replies.Reply, error) { return nil, nil }
	rows := func(context.Context, *Invocation, int) (*Table, error) { return &Table{}, nil }
	r := NewRegistry()
	r.Register(&Command{Path: "things", Summary: "list things", Perm: "things.read", Run: run, CSV: rows})
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	c := r.Lookup("things")
	if f := c.flag("csv"); f == nil || f.Kind != Bool || !slices.Contains(c.APIs, "POST media/upload") {
		t.Fatalf("flags %+v, APIs %v; want --csv added and media/upload listed", c.Flags, c.APIs)
	}
	if p, err := r.Parse("/things --csv"); err != nil || p.Flags["csv"] != "true" {
		t.Fatalf("parse: %+v %v", p, err)
	}
	r2 := NewRegistry()
	r2.Register(&Command{Path: "open", Summary: "anyone", Run: run, CSV: rows})
	if r2.Err() == nil {
		t.Fatal("a public command with CSV was registered; an export must need a permission")
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int]string{48: "48 B", 4672: "5 KB", 20 << 20: "20.0 MB", 123 << 10: "123 KB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q; want %q", n, got, want)
		}
	}
}
