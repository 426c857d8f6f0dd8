package replies

import "testing"

func TestPluralAndTruncate(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Plural(1, "member", "members"), "1 member"},
		{Plural(0, "member", "members"), "0 members"},
		{Plural(3, "device", "devices"), "3 devices"},
		{Truncate("短文本", 5), "短文本"},
		{Truncate("高级功能账号申请", 5), "高级功能…"},
		{Truncate("abc", 0), "…"},
	} {
		if c.got != c.want {
			t.Errorf("got %q; want %q", c.got, c.want)
		}
	}
}

func TestBuilder(t *testing.T) {
	var b Builder
	b.Heading("Accounts: %s", "add").Item("%s — allocated", Code("lisi")).Item("%s — failed", Code("wangwu")).
		Para("2 members: 1 allocated, 1 failed.").Para("")
	want := "## Accounts: add\n\n- `lisi` — allocated\n- `wangwu` — failed\n\n2 members: 1 allocated, 1 failed."
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := b.Reply().Markdown; got != want {
		t.Fatalf("Reply().Markdown = %q", got)
	}
	var n Builder
	n.Para("On the list:").Numbered("%s", "a").Numbered("b").Item("c")
	if got, want := n.String(), "On the list:\n\n1. a\n2. b\n\n- c"; got != want {
		t.Fatalf("numbered: got %q; want %q", got, want)
	}
	var empty Builder
	if empty.String() != "" {
		t.Fatal("an empty builder says something")
	}
}
