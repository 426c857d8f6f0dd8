package i18ntest_test

import (
	"slices"
	"testing"

	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
)

func TestEnglishLeft(t *testing.T) {
	for s, want := range map[string][]string{
		"没有设备 · `/devices approve CODE now` · <font color=\"info\">已通过</font>":         nil,
		"用 /order approve ID 或 /order reject ID REASON 决定；见 https://x.example/a b c d": nil,
		"`lisi` 于 2026-12-03 12:00 登录 DESKTOP-7QK2M wx_ab12 ap17000000000017":          nil,
		"设备：awaiting admin confirmation as enterprise device":                          {"awaiting admin confirmation as enterprise device"},
		"Nothing to approve: only devices awaiting (待确认)":                              {"Nothing to   only devices awaiting"}, // "approve:" reads as an identifier; the sentence is still caught
	} {
		if got := i18ntest.EnglishLeft(s); !slices.Equal(got, want) {
			t.Errorf("EnglishLeft(%q) = %q; want %q", s, got, want)
		}
	}
}
