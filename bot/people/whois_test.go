package people

import (
	"fmt"
	"testing"
)

func TestWhoisKinds(t *testing.T) {
	for _, c := range []struct {
		id         string
		agent, typ bool
		want       string
	}{
		{"lisi", false, false, "[userid]"},
		{"li.si@corp", false, false, "[userid]"},
		{"wmAAAchenkehu0000000000000001", false, false, "[external_userid userid]"},
		{"woAAAlisiOPENxxxx", false, false, "[external_userid userid]"},
		{"woAAAlisiOPENxxxx", true, false, "[open_userid external_userid userid]"},
		{"wmshort", false, false, "[userid]"}, // too short to be generated: a userid
		{"ouTMPmeetChen000000000000001", false, false, "[tmp_external_userid userid]"},
		{"ouyang", false, false, "[userid]"},
		{"ouyang", false, true, "[tmp_external_userid userid]"},
		{"_x", false, false, "[]"}, // a userid starts with a letter or digit
		{"_x", true, false, "[open_userid]"},
	} {
		if got := fmt.Sprint(whoisKinds(c.id, c.agent, c.typ)); got != c.want {
			t.Errorf("whoisKinds(%q, agent %v, type %v) = %s; want %s", c.id, c.agent, c.typ, got, c.want)
		}
	}
}
