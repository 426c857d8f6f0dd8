package security

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Every value of the enums the desk shows has a label in Chinese: the console's name alone, without the
// English, so a label reads once in the reader's language; English keeps wecom's name.
func TestLabel_everyValue(t *testing.T) {
	zh, en := i18n.For(i18n.Zh), i18n.For(i18n.En)
	var vs []fmt.Stringer
	for n := 1; n <= 30; n++ {
		for _, v := range []fmt.Stringer{wecom.DeviceStatus(n), wecom.ImportStatus(n), wecom.MemberOperType(n), wecom.AdminOperType(n),
			wecom.ScreenShotType(n)} {
			if !strings.Contains(v.String(), "(") || strings.HasSuffix(v.String(), fmt.Sprintf("(%d)", n)) {
				continue // not a value WeCom documents
			}
			vs = append(vs, v)
		}
	}
	for _, v := range fileOps {
		vs = append(vs, v)
	}
	for _, v := range fileSources {
		vs = append(vs, v)
	}
	if len(vs) < 40 {
		t.Fatalf("only %d values found", len(vs))
	}
	for _, v := range vs {
		if got := Label(en, v); got != v.String() {
			t.Errorf("English label of %v = %q; want wecom's %q", v, got, v.String())
		}
		got := Label(zh, v)
		if got == v.String() || strings.ContainsAny(got, "()abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("Chinese label of %q = %q; want the console's name alone", v.String(), got)
		}
	}
}

// Declared helps are literal ids; they must say what the code does.
func TestHelps_literal(t *testing.T) {
	if pageFlag.Help != fmt.Sprintf("which page of the list (%d per page)", replies.PerPage) {
		t.Errorf("--page help %q does not name replies.PerPage %d", pageFlag.Help, replies.PerPage)
	}
	want := map[string]string{
		"oplog member": "only one kind: " + wordList(memberTypes) + ", or its number",
		"oplog admin":  "only one kind: " + wordList(adminTypes) + ", or its number",
		"oplog files":  "only one operation: " + wordList(fileOps) + ", or its number",
		"oplog screen": "only screenshots of: " + wordList(screenTypes),
	}
	for _, c := range oplogCommands(Deps{}) {
		for _, f := range c.Flags {
			if (f.Name == "type" || f.Name == "op") && f.Help != want[c.Path] {
				t.Errorf("/%s --%s help %q; want %q", c.Path, f.Name, f.Help, want[c.Path])
			}
		}
	}
}
