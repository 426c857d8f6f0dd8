package alerts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom"
)

func testConfig(rules ...config.Rule) config.Alerts {
	return config.Alerts{
		Interval: config.Duration{Duration: time.Minute}, Window: config.Duration{Duration: time.Minute},
		Teams: map[string]config.Team{"secops": {Members: []string{"zhangsan"}}},
		Rules: rules,
	}
}

func TestCompileRules_errors(t *testing.T) {
	t.Parallel()
	base := config.Rule{Name: "r", Source: SourceMemberLog, Severity: SevWarning, Team: "secops"}
	with := func(f func(*config.Rule)) config.Rule { r := base; f(&r); return r }
	tests := []struct {
		name  string
		rules []config.Rule
		want  string
	}{
		{"bad name", []config.Rule{with(func(r *config.Rule) { r.Name = "new device" })}, "rule name"},
		{"duplicate", []config.Rule{base, base}, "same name"},
		{"unknown team", []config.Rule{with(func(r *config.Rule) { r.Team = "nobody" })}, "no team"},
		{"file ops on a log rule", []config.Rule{with(func(r *config.Rule) { r.FileOps = []int{103} })}, "file_ops"},
		{"oper types on devices", []config.Rule{with(func(r *config.Rule) { r.Source, r.OperTypes = SourceDevices, []int{4} })}, "oper_types"},
		{"device status on a log rule", []config.Rule{with(func(r *config.Rule) { r.DeviceStatus = []int{3} })}, "device_status"},
		{"bad device status", []config.Rule{with(func(r *config.Rule) { r.Source, r.DeviceStatus = SourceDevices, []int{9} })}, "not a device status"},
		{"bad file source", []config.Rule{with(func(r *config.Rule) { r.Source, r.FileSources = SourceFiles, []int{400} })}, "not a file source"},
		{"bad severity", []config.Rule{with(func(r *config.Rule) { r.Severity = "high" })}, "severity"},
		{"unknown member oper type", []config.Rule{with(func(r *config.Rule) { r.OperTypes = []int{4, 99} })},
			"oper_types 99 is not a member operation type; they are 1 added an external contact"},
		{"a type WeCom does not document", []config.Rule{with(func(r *config.Rule) { r.OperTypes = []int{10} })}, "oper_types 10 is not a member operation type"},
		{"unknown admin oper type", []config.Rule{with(func(r *config.Rule) { r.Source, r.OperTypes = SourceAdminLog, []int{4} })}, "not an admin operation type"},
		{"unknown file op", []config.Rule{with(func(r *config.Rule) { r.Source, r.FileOps = SourceFiles, []int{102} })}, "file_ops 102 is not a file operation type"},
	}
	for _, tt := range tests {
		_, err := compileRules(testConfig(tt.rules...))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: compileRules = %v; want an error about %q", tt.name, err, tt.want)
		}
	}
	if _, err := compileRules(testConfig(base, with(func(r *config.Rule) { r.Name = "r2" }))); err != nil {
		t.Errorf("valid rules: %v", err)
	}
}

func TestRuleMatches(t *testing.T) {
	t.Parallel()
	rules, err := compileRules(testConfig(
		config.Rule{Name: "login", Source: SourceMemberLog, OperTypes: []int{4, 13}, Severity: SevWarning, Team: "secops"},
		config.Rule{Name: "any-admin", Source: SourceAdminLog, Severity: SevInfo, Team: "secops"},
		config.Rule{Name: "download", Source: SourceFiles, FileOps: []int{103}, FileSources: []int{404}, Severity: SevWarning, Team: "secops"},
		config.Rule{Name: "pending-device", Source: SourceDevices, Severity: SevCritical, Team: "secops"},
		config.Rule{Name: "trusted-device", Source: SourceDevices, DeviceStatus: []int{5}, Severity: SevInfo, Team: "secops"},
	))
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyer()
	now := time.Unix(1_700_000_000, 0)
	recs := []*record{
		memberRecord(k, wecom.MemberOperLog{Time: 1, UserID: "lisi", OperType: 4}),                                               // login
		memberRecord(k, wecom.MemberOperLog{Time: 2, UserID: "lisi", OperType: 1}),                                               // none
		adminRecord(k, wecom.AdminOperLog{Time: 3, UserID: "zhangsan", OperType: 8}),                                             // any-admin
		fileRecord(k, wecom.FileOperRecord{Time: 4, UserID: "lisi", Operation: wecom.FileOperation{Type: 103, Source: 404}}),     // download
		fileRecord(k, wecom.FileOperRecord{Time: 5, UserID: "lisi", Operation: wecom.FileOperation{Type: 103, Source: 401}}),     // none: chat
		fileRecord(k, wecom.FileOperRecord{Time: 6, UserID: "lisi", Operation: wecom.FileOperation{Type: 101, Source: 404}}),     // none: upload
		deviceRecord(wecom.Device{DeviceCode: "a", Status: wecom.DeviceAwaitingCorpConfirmation, LastLoginUserID: "sunqi"}, now), // pending-device
		deviceRecord(wecom.Device{DeviceCode: "b", Status: wecom.DeviceAwaitingPersonalConfirm}, now),                            // pending-device
		deviceRecord(wecom.Device{DeviceCode: "c", Status: wecom.DeviceAwaitingInvitation}, now),                                 // none
		deviceRecord(wecom.Device{DeviceCode: "d", Status: wecom.DeviceConfirmedCorp}, now),                                      // trusted-device
	}
	var got []string
	for _, a := range match(rules, recs) {
		got = append(got, a.Rule+":"+a.Key[:min(len(a.Key), 10)])
	}
	var rulesHit []string
	for _, g := range got {
		rulesHit = append(rulesHit, strings.Split(g, ":")[0])
	}
	want := []string{"login", "any-admin", "download", "pending-device", "pending-device", "trusted-device"}
	if !slices.Equal(rulesHit, want) {
		t.Fatalf("matches = %v; want %v", rulesHit, want)
	}
	if ts := deviceTypes(rules); !slices.Equal(ts, []wecom.DeviceType{wecom.DeviceTrustedCorp, wecom.DeviceUnknown}) {
		t.Errorf("deviceTypes = %v; want the enterprise and unknown lists", ts)
	}
	a := match(rules, recs[6:7])[0]
	if a.Key != "device:a:3" || a.UserID != "sunqi" || !strings.Contains(a.Summary, "awaiting approval") || a.Severity != SevCritical {
		t.Errorf("device alert = %+v", a)
	}
}

func TestKeyer(t *testing.T) {
	t.Parallel()
	l := wecom.MemberOperLog{Time: 100, UserID: "lisi", OperType: 4, DetailInfo: "x", IP: "1.2.3.*"}
	other := l
	other.IP = "1.2.4.*"
	k1 := newKeyer()
	a, b, c := memberRecord(k1, l).Key, memberRecord(k1, l).Key, memberRecord(k1, other).Key
	if a == b || a == c || b == c {
		t.Fatalf("keys %q %q %q; want three different (two identical records are two records)", a, b, c)
	}
	// Reading the same window again gives the same keys.
	k2 := newKeyer()
	if memberRecord(k2, l).Key != a || memberRecord(k2, l).Key != b || memberRecord(k2, other).Key != c {
		t.Fatal("keys differ when the window is read again")
	}
	// The source is part of the key.
	if adminRecord(newKeyer(), wecom.AdminOperLog{Time: 100, UserID: "lisi", OperType: 4, DetailInfo: "x", IP: "1.2.3.*"}).Key == a {
		t.Fatal("a member and an admin record share a key")
	}
}

func TestRecordSummaries(t *testing.T) {
	t.Parallel()
	k := newKeyer()
	for _, tt := range []struct {
		rec  *record
		want []string
	}{
		{memberRecord(k, wecom.MemberOperLog{UserID: "lisi", OperType: 4, DetailInfo: "新设备登录：iPhone", IP: "183.40.88.*"}),
			[]string{"lisi", "new device", "iPhone", "183.40.88.*"}},
		{adminRecord(k, wecom.AdminOperLog{UserID: "zhangsan", OperType: 2, DetailInfo: "添加管理员"}),
			[]string{"zhangsan", "admin", "permission change", "添加管理员"}},
		{fileRecord(k, wecom.FileOperRecord{ExternalUser: &wecom.FileExternalUser{Name: "林伙伴", CorpName: "合作伙伴"},
			Operation: wecom.FileOperation{Type: 113, Source: 401}, FileInfo: "a.pdf", FileSize: 3 << 20}),
			[]string{"external 林伙伴 (合作伙伴)", "download via link", "a.pdf", "chat", "3.0 MB"}},
	} {
		for _, w := range tt.want {
			if !strings.Contains(tt.rec.Summary, w) {
				t.Errorf("summary %q lacks %q", tt.rec.Summary, w)
			}
		}
	}
	// One label: the kind's console name, not again at the start of WeCom's detail.
	if got, want := memberRecord(k, wecom.MemberOperLog{UserID: "lisi", OperType: 4, DetailInfo: "新设备登录：iPhone"}).Summary,
		"lisi logged in on a new device (新设备登录): iPhone"; got != want {
		t.Errorf("summary %q; want %q", got, want)
	}
	if got := fmt.Sprint(humanBytes(512), " ", humanBytes(2048)); got != "512 B 2.0 KB" {
		t.Errorf("humanBytes = %q", got)
	}
}
