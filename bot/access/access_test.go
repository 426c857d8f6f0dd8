package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
)

// TestNew_refusesWhatNamesNobody: a member reference that can never match a WeCom member is refused when the
// config is read, naming where it is, rather than denying everyone it was meant for later.
func TestNew_refusesWhatNamesNobody(t *testing.T) {
	for _, c := range []struct {
		admins []string
		roles  []access.Role
		want   string
	}{
		{[]string{"张三"}, nil, `access.admins: "张三" is not a userid`},                       // a display name
		{[]string{"zhang san"}, nil, `access.admins: "zhang san" is not a userid`},         // a space
		{[]string{"_lisi"}, nil, `"_lisi" is not a userid`},                                // must start with a letter or digit
		{[]string{strings.Repeat("a", 65)}, nil, "is not a userid"},                        // over 64 bytes
		{nil, []access.Role{{Name: "sec", Members: []string{"tag:"}}}, "needs a tag name"}, // an empty tag
		{nil, []access.Role{{Name: "sec", Members: []string{"dept:x"}}}, "access.roles.sec.members"},
		{nil, []access.Role{{Name: "sec", Members: []string{"group:1"}}}, "members are userids, tag:NAME or dept:ID"},
	} {
		_, err := access.New(c.admins, c.roles, nil, time.Minute)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, %+v) = %v; want an error saying %q", c.admins, c.roles, err, c.want)
		}
	}
	if _, err := access.New([]string{"zhangsan", "Li.Si@corp", "9527"}, []access.Role{{Name: "sec", Members: []string{"wu-jiu_2"}, Perms: []string{"devices.*"}}}, nil, time.Minute); err != nil {
		t.Errorf("valid userids refused: %v", err)
	}
}
