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
