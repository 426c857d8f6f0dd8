package security_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/security"
	"github.com/wecombot/wecombot/wecom"
)

func TestSecurityDomainIP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := h.Say("wujiu", "/domainip")
	for _, path := range []string{"security/get_server_domain_ip", "get_api_domain_ip", "getcallbackip"} {
		calls := h.Emu.CallsTo(path)
		if len(calls) != 1 || calls[0].Method != "GET" || len(calls[0].Body) != 0 {
			t.Fatalf("%s: %+v; want one GET without a body", path, calls)
		}
	}
	says(t, got, "## WeCom domains and IPs", "First look", "**Domains** (4)", "`i.work.weixin.qq.com` · TCP 443, 80 · ",
		`"warning">required</font>`, "`live.work.weixin.qq.com` · TCP 443, 80 · ", `"comment">optional</font> · 企业微信直播`, "**IPs** (3)", "`115.238.203.110`",
		"**API host IPs** (3", "`198.51.100.0/24`", "**Callback IPs** (3")
	saysNot(t, got, "universal_domian", "is_necessary")
	body, at, ok, err := h.DB.LatestSnapshot(t.Context(), security.SnapshotDomainIP)
	if err != nil || !ok || time.Since(at) > time.Minute {
		t.Fatalf("no snapshot stored: %v %v", ok, err)
	}
	var stored security.DomainIPSnapshot
	if err := json.Unmarshal(body, &stored); err != nil || len(stored.Domains) != 4 || len(stored.IPs) != 3 || len(stored.APIIPs) != 3 {
		t.Fatalf("stored snapshot %s: %v", body, err)
	}

	got = h.Say("wujiu", "/domainip")
	says(t, got, "No change", "since "+at.In(shanghaiZone(t)).Format("2006-01-02 15:04")+": WeCom's list is the one stored then")
	var kept int
	if err := h.DB.SQL().QueryRow(`SELECT COUNT(*) FROM snapshots WHERE kind = ?`, security.SnapshotDomainIP).Scan(&kept); err != nil || kept != 1 {
		t.Fatalf("%d snapshots after an unchanged look, %v; want 1 (only changes are stored)", kept, err)
	}

	// Make the stored snapshot differ from what WeCom says now: WeCom "added" a domain and an IP, "removed"
	// an old domain and API IP, and changed a domain's ports.
	old := stored
	old.Domains = slices.Clone(stored.Domains)
	old.Domains = slices.DeleteFunc(old.Domains, func(d wecom.ServerDomain) bool { return d.Domain == "wework.qpic.cn" })
	old.Domains = append(old.Domains, wecom.ServerDomain{Domain: "old.work.weixin.qq.com", Protocol: "TCP", Port: []int{443}, IsNecessary: 1})
	for i := range old.Domains {
		if old.Domains[i].Domain == "qyapi.weixin.qq.com" {
			old.Domains[i].Port = []int{443, 8080}
		}
	}
	old.IPs = slices.DeleteFunc(slices.Clone(stored.IPs), func(ip wecom.ServerIP) bool { return ip.IP == "115.238.203.110" })
	old.APIIPs = append(slices.Clone(stored.APIIPs), "203.0.113.7")
	oldBody, _ := json.Marshal(old)
	if err := h.DB.SaveSnapshot(t.Context(), security.SnapshotDomainIP, oldBody); err != nil {
		t.Fatal(err)
	}
	got = h.Say("wujiu", "/domainip")
	says(t, got, "Changes since the list stored", "added</font> domain `wework.qpic.cn`", "removed</font> domain `old.work.weixin.qq.com`",
		"changed</font> domain `qyapi.weixin.qq.com`", "added</font> IP `115.238.203.110`", "removed</font> API host IP `203.0.113.7`")
	saysNot(t, got, "callback IP `", "No change")
	body, _, _, _ = h.DB.LatestSnapshot(t.Context(), security.SnapshotDomainIP)
	var latest security.DomainIPSnapshot
	json.Unmarshal(body, &latest)
	if diff := cmp.Diff(stored, latest); diff != "" {
		t.Fatalf("the newest snapshot is not what WeCom answered (-first +latest):\n%s", diff)
	}
}

func TestSecurityDomainIP_errors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Emu.Fail("security/get_server_domain_ip", 48002, 1)
	got := h.Say("zhangsan", "/domainip")
	says(t, got, "errcode 48002", "「我的企业 - 设置 - 域名IP - 可调用API的应用」", "可调用接口的应用")
	if _, _, ok, _ := h.DB.LatestSnapshot(t.Context(), security.SnapshotDomainIP); ok {
		t.Fatalf("a failed /domainip stored a snapshot")
	}
	h.Emu.Fail("getcallbackip", -1, 4)
	got = h.Say("zhangsan", "/domainip")
	says(t, got, "errcode -1 on getcallbackip", "Try again in a minute")
	for _, u := range []string{"lisi", "zhaoliu"} {
		says(t, h.Say(u, "/domainip"), "not allowed to run /domainip", "domainip.read")
	}
	// 45009 blocks the API (DOC/90454): not retried, and the member learns when to try again.
	n := len(h.Emu.CallsTo("get_api_domain_ip"))
	h.Emu.Fail("get_api_domain_ip", 45009, 1)
	got = h.Say("zhangsan", "/domainip")
	says(t, got, "WeCom's rate limit for this API (get_api_domain_ip) is exhausted; try again after")
	if calls := h.Emu.CallsTo("get_api_domain_ip")[n:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("get_api_domain_ip calls %+v; want the one 45009", calls)
	}
}

func TestSecurityDiffDomainIP(t *testing.T) {
	t.Parallel()
	dom := func(name string, ports []int, need int) wecom.ServerDomain {
		return wecom.ServerDomain{Domain: name, Protocol: "TCP", Port: ports, IsNecessary: need, Description: "d " + name}
	}
	ip := func(addr string, ports []int, need int) wecom.ServerIP {
		return wecom.ServerIP{IP: addr, Protocol: "TCP", Port: ports, IsNecessary: need}
	}
	base := &security.DomainIPSnapshot{
		Domains:     []wecom.ServerDomain{dom("a.qq.com", []int{443, 80}, 1), dom("b.qq.com", []int{443}, 0)},
		IPs:         []wecom.ServerIP{ip("1.1.1.1", []int{443}, 1)},
		APIIPs:      []string{"2.2.2.2", "3.3.3.3"},
		CallbackIPs: []string{"4.4.4.4"},
	}
	for _, tc := range []struct {
		name     string
		old, new *security.DomainIPSnapshot
		want     security.DomainIPDiff
	}{
		{"same", base, base, security.DomainIPDiff{}},
		{"ports reordered and descriptions changed are no change", base, &security.DomainIPSnapshot{
			Domains: []wecom.ServerDomain{{Domain: "b.qq.com", Protocol: "tcp", Port: []int{443}, Description: "new text"}, dom("a.qq.com", []int{80, 443}, 1)},
			IPs:     base.IPs, APIIPs: []string{"3.3.3.3", "2.2.2.2"}, CallbackIPs: base.CallbackIPs,
		}, security.DomainIPDiff{}},
		{"first snapshot: all added", nil, base, security.DomainIPDiff{
			Domains: security.ListDiff{Added: []string{"a.qq.com", "b.qq.com"}}, IPs: security.ListDiff{Added: []string{"1.1.1.1"}},
			APIIPs: security.ListDiff{Added: []string{"2.2.2.2", "3.3.3.3"}}, CallbackIPs: security.ListDiff{Added: []string{"4.4.4.4"}},
		}},
		{"added, removed, changed", base, &security.DomainIPSnapshot{
			Domains:     []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1), dom("c.qq.com", []int{443}, 1), dom("b.qq.com", []int{443}, 1)},
			IPs:         []wecom.ServerIP{ip("1.1.1.1", []int{443}, 1), ip("5.5.5.5", []int{443}, 0)},
			APIIPs:      []string{"3.3.3.3"},
			CallbackIPs: []string{"4.4.4.4", "6.6.6.6"},
		}, security.DomainIPDiff{
			Domains: security.ListDiff{Added: []string{"c.qq.com"}, Changed: []string{"a.qq.com", "b.qq.com"}},
			IPs:     security.ListDiff{Added: []string{"5.5.5.5"}}, APIIPs: security.ListDiff{Removed: []string{"2.2.2.2"}},
			CallbackIPs: security.ListDiff{Added: []string{"6.6.6.6"}},
		}},
		{"a domain listed per protocol", &security.DomainIPSnapshot{Domains: []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1),
			{Domain: "a.qq.com", Protocol: "UDP", Port: []int{8000}, IsNecessary: 1}}},
			&security.DomainIPSnapshot{Domains: []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1)}},
			security.DomainIPDiff{Domains: security.ListDiff{Changed: []string{"a.qq.com"}}}},
	} {
		got := security.DiffDomainIP(tc.old, tc.new)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: DiffDomainIP (-want +got):\n%s", tc.name, diff)
		}
		if got.Empty() != (tc.name == "same" || strings.HasPrefix(tc.name, "ports reordered")) {
			t.Errorf("%s: Empty() = %v", tc.name, got.Empty())
		}
	}
	md := security.DiffDomainIP(base, &security.DomainIPSnapshot{Domains: base.Domains[:1], IPs: base.IPs, APIIPs: base.APIIPs,
		CallbackIPs: []string{"4.4.4.4", "7.7.7.7"}}).Markdown()
	if !strings.Contains(md, "removed</font> domain `b.qq.com`") || !strings.Contains(md, "added</font> callback IP `7.7.7.7`") {
		t.Errorf("Markdown() = %q", md)
	}
	if got := security.DiffDomainIP(base, base).Markdown(); got != "" {
		t.Errorf("Markdown() of no change = %q; want empty", got)
	}
}
