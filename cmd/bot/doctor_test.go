package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The doctor tests run `wecombot doctor` (doctorMain, through loadConfig) against the emulator over loopback, with
// the approval page served over TLS by a real bot (newApp's mux), a real SQLite file, and one fault injected
// per case.

// doctorVisibility is the good setup's 可见范围: lisi by name, 安全部 (zhangsan, wujiu) and the tag 审批人
// (zhangsan, zhaoliu), so that resolving departments and tags is exercised.
func doctorVisibility() *emulator.Visibility {
	return &emulator.Visibility{UserIDs: []string{"lisi"}, PartyIDs: []int{3}, TagIDs: []int{2}}
}

// doctorTOML is a good production-like config; the %s are the API base, the public origin and the database.
const doctorTOML = `
[wecom]
corp_id = "` + emulator.DefaultCorpID + `"
agent_id = 1000002
secret = "` + emulator.DefaultSecret + `"
api_base = "%[1]s"
[callback]
listen = "127.0.0.1:0"
public_url = "%[2]s/wecom/callback"
token = "` + emulator.DefaultToken + `"
encoding_aes_key = "` + emulator.DefaultAESKey + `"
[store]
path = "%[3]s"
[access]
admins = ["zhangsan"]
[access.roles.security]
members = ["tag:安全管理员", "dept:3"]
permissions = ["devices.*", "oplog.*", "domainip.*", "alerts.*"]
[approvals]
approvers = ["tag:审批人", "zhaoliu"]
[alerts]
domain_ip_team = "secops"
[alerts.teams.secops]
members = ["wujiu", "lisi"]
chat = "secops"
[audit]
key = "doctor-test-audit-key-0123456789"
`

// doctorCase is a setup, a fault and what doctor must say about it.
type doctorCase struct {
	name  string
	emu   func(*emulator.Options)              // before the emulator starts
	fault func(t *testing.T, f *doctorFixture) // after everything started: config edits, emulator faults
	check string                               // the check that must FAIL ("" for a good setup)
	want  string                               // in that check's lines (detail or fix)
	fix   string                               // in its fix line
}

// doctorFixture is one test's world.
type doctorFixture struct {
	emu    *wecomtest.Server
	page   *httptest.Server // the bot's approval page over TLS
	toml   string
	dbPath string
	tune   []func(*doctor)
}

func (f *doctorFixture) replace(t *testing.T, old, new string) {
	t.Helper()
	if !strings.Contains(f.toml, old) {
		t.Fatalf("config has no %q", old)
	}
	f.toml = strings.Replace(f.toml, old, new, 1)
}

func newDoctorFixture(t *testing.T, mod func(*emulator.Options)) *doctorFixture {
	t.Helper()
	opts := emulator.Options{Visibility: doctorVisibility(), RedirectDomain: "127.0.0.1"}
	if mod != nil {
		mod(&opts)
	}
	emu := wecomtest.NewServer(t, opts)
	var handler atomic.Pointer[http.Handler]
	page := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	page.StartTLS()
	t.Cleanup(page.Close)
	dir := t.TempDir()
	f := &doctorFixture{emu: emu, page: page, dbPath: filepath.Join(dir, "bot.db")}
	f.toml = fmt.Sprintf(doctorTOML, emu.URL, page.URL, f.dbPath)
	// The page is served by a bot of its own (its own database), as `wecombot serve` would behind the public URL.
	cfg, err := config.Parse(fmt.Sprintf(doctorTOML, emu.URL, page.URL, filepath.Join(dir, "page.db")), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.db.Close() })
	var h http.Handler = a.mux
	handler.Store(&h)
	return f
}

func noEnv(string) (string, bool) { return "", false }

// runDoctorTest writes the config and runs `wecombot doctor --config FILE`; it returns the checklist and the error
// (non-nil is a non-zero exit).
func (f *doctorFixture) run(t *testing.T) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(f.toml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard, getenv: noEnv}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := doctorMain(ctx, e, []string{"--config", path}, func(d *doctor) {
		d.http.Transport = f.page.Client().Transport // trusts the page's test certificate
		for _, tune := range f.tune {
			tune(d)
		}
	})
	return out.String(), err
}

// checkLines returns the status and the lines (detail, fix) doctor printed for a check. A line is
// "%-8s %-18s detail": the status, the check's name, then the detail; a fix line follows, indented.
func checkLines(out, name string) (status string, lines []string) {
	rows := strings.Split(out, "\n")
	for i, row := range rows {
		if len(row) < 28 || strings.TrimSpace(row[9:27]) != name {
			continue
		}
		lines = append(lines, row)
		if i+1 < len(rows) && strings.HasPrefix(strings.TrimSpace(rows[i+1]), "fix:") {
			lines = append(lines, rows[i+1])
		}
		return strings.TrimSpace(row[:8]), lines
	}
	return "", nil
}

func TestDoctor_goodSetup(t *testing.T) {
	t.Parallel()
	f := newDoctorFixture(t, nil)
	out, err := f.run(t)
	if err != nil {
		t.Fatalf("doctor failed on a good setup: %v\n%s", err, out)
	}
	for _, c := range doctorChecks {
		if status, _ := checkLines(out, c.name); status != "ok" {
			t.Errorf("check %q: %q; want ok", c.name, status)
		}
	}
	if want := fmt.Sprintf("%d checks: %d ok, 0 failed", len(doctorChecks), len(doctorChecks)); !strings.Contains(out, want) {
		t.Errorf("summary: want %q in\n%s", want, out)
	}
	// One cheap read per family, each really sent.
	for _, api := range []string{"security/trustdevice/list", "security/member_oper_log/list", "security/admin_oper_log/list",
		"security/get_file_oper_record", "security/get_screen_oper_record", "security/get_server_domain_ip",
		"security/vip/list", "advanced_feature/get_apply_id_list", "hr/get_fields", "externalcontact/get", "agent/get",
		"appchat/get", "tag/list", "department/list"} {
		if n := len(f.emu.CallsTo(api)); n == 0 {
			t.Errorf("%s was not called", api)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestDoctor_skipsWithReasons: a config using little of WeCom skips what it does not use, says why, and
// exits 0; the missing audit key is a warning, not a failure.
func TestDoctor_skipsWithReasons(t *testing.T) {
	t.Parallel()
	f := newDoctorFixture(t, nil)
	// No access, approvals or alerts sections, and no audit key.
	f.toml = f.toml[:strings.Index(f.toml, "[access]")]
	out, err := f.run(t)
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, c := range doctorChecks {
		status, lines := checkLines(out, c.name)
		switch {
		case c.name == "audit key":
			if status != "WARN" || !strings.Contains(strings.Join(lines, "\n"), "openssl rand") {
				t.Errorf("audit key: %q %q; want WARN with the fix", status, lines)
			}
		case strings.HasPrefix(c.name, "api "), c.name == "visibility", c.name == "tags and depts",
			c.name == "approvals", c.name == "alert chats":
			if status != "skipped" || len(strings.Fields(lines[0])) < 4 {
				t.Errorf("%s: %q; want skipped with a reason", c.name, lines)
			}
		default:
			if status != "ok" {
				t.Errorf("%s: %q; want ok", c.name, lines)
			}
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestDoctor_faults(t *testing.T) {
	t.Parallel()
	fail48002 := func(api string) func(*testing.T, *doctorFixture) {
		return func(_ *testing.T, f *doctorFixture) { f.emu.Fail(api, 48002, 1) }
	}
	cases := []doctorCase{
		{name: "wrong secret", check: "token", want: "40001", fix: "应用管理 → the app → Secret",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `secret = "`+emulator.DefaultSecret+`"`, `secret = "not-the-secret"`)
			}},
		{name: "wrong corp id", check: "token", want: "40013", fix: "我的企业 → 企业信息 → 企业ID",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `corp_id = "`+emulator.DefaultCorpID+`"`, `corp_id = "wwnotthiscorp0000"`)
			}},
		{name: "untrusted IP", check: "egress IP", want: "60020", fix: "企业可信IP",
			fault: func(_ *testing.T, f *doctorFixture) { f.emu.Fail("getcallbackip", 60020, 1) }},
		{name: "devices", check: "api devices", want: "48002", fix: "设备管理 → 「可调用接口的应用」",
			fault: fail48002("security/trustdevice/list")},
		{name: "member log", check: "api member log", want: "48002", fix: "获取成员操作记录",
			fault: fail48002("security/member_oper_log/list")},
		{name: "admin log", check: "api admin log", want: "48002", fix: "获取管理端操作日志",
			fault: fail48002("security/admin_oper_log/list")},
		{name: "file records", check: "api file records", want: "48002", fix: "文件防泄漏 → 「可调用接口的应用」",
			fault: fail48002("security/get_file_oper_record")},
		{name: "screen records", check: "api screen records", want: "48002", fix: "截屏/录屏管理",
			fault: fail48002("security/get_screen_oper_record")},
		{name: "domain ip", check: "api domain/IP", want: "48002", fix: "域名IP → 「可调用API的应用」",
			fault: fail48002("security/get_server_domain_ip")},
		{name: "vip", check: "api vip accounts", want: "48002", fix: "高级功能账号",
			fault: fail48002("security/vip/list")},
		{name: "applications", check: "api applications", want: "48002", fix: "成员申请管理",
			fault: fail48002("advanced_feature/get_apply_id_list")},
		{name: "roster", check: "api roster", want: "48002", fix: "人事助手",
			fault: fail48002("hr/get_fields")},
		{name: "customers", check: "api customers", want: "48002", fix: "客户联系",
			fault: fail48002("externalcontact/get")},
		{name: "approver outside visibility", check: "visibility", want: "zhaoliu (approvals.approvers)", fix: "可见范围",
			emu: func(o *emulator.Options) {
				o.Visibility = &emulator.Visibility{UserIDs: []string{"lisi"}, PartyIDs: []int{3}} // no tag 审批人
			}},
		{name: "team member outside visibility", check: "visibility", want: "zhouba (alerts.teams.secops.members)",
			fix: "可见范围", fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `members = ["wujiu", "lisi"]`, `members = ["wujiu", "zhouba"]`)
			}},
		{name: "missing tag", check: "tags and depts", want: "tag:没有这个标签 (access.roles.security.members)",
			fix: "通讯录 → 标签", fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `"tag:安全管理员"`, `"tag:没有这个标签"`)
			}},
		{name: "missing department", check: "tags and depts", want: "dept:99", fix: "通讯录",
			fault: func(t *testing.T, f *doctorFixture) { f.replace(t, `"dept:3"`, `"dept:99"`) }},
		{name: "approval page not https", check: "approvals", want: "not https", fix: "callback.public_url",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `public_url = "https://`, `public_url = "http://`)
			}},
		{name: "approval page not the trusted domain", check: "approvals", want: "可信域名", fix: "网页授权及JS-SDK",
			emu: func(o *emulator.Options) { o.RedirectDomain = "bot.example.com" }},
		{name: "approval page down", check: "approvals", want: "GET https://", fix: "wecombot serve",
			fault: func(t *testing.T, f *doctorFixture) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				ln.Close() // nothing listens there any more
				f.replace(t, "[approvals]\n", "[approvals]\nurl = \"https://"+addr+"/approvals/{apply_id}\"\n")
			}},
		{name: "approval page not the bot's", check: "approvals", want: "HTTP 404", fix: "route /elsewhere/doctor",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, "[approvals]\n", "[approvals]\nurl = \""+f.page.URL+"/elsewhere/{apply_id}\"\n")
			}},
		{name: "chat not created by the app", check: "alert chats", want: "notours (alerts.teams.secops.chat) was not created by this app",
			fix: "appchat/create", fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `chat = "secops"`, `chat = "notours"`)
			}},
		{name: "no such chat", check: "alert chats", want: "nosuchchat (alerts.teams.secops.chat): no such chat",
			fix: "appchat/create", fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `chat = "secops"`, `chat = "nosuchchat"`)
			}},
		{name: "callback token too short", check: "callback", want: "2 characters", fix: "设置API接收",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `token = "`+emulator.DefaultToken+`"`, `token = "ab"`)
			}},
		{name: "callback path mismatch", check: "callback", want: "does not end with callback.path", fix: "设置API接收",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, `/wecom/callback"`, `/hooks/wecom"`)
			}},
		{name: "clock ahead", check: "clock", want: "ahead of WeCom's", fix: "NTP",
			fault: func(_ *testing.T, f *doctorFixture) {
				f.tune = append(f.tune, func(d *doctor) { d.now = func() time.Time { return time.Now().Add(5 * time.Minute) } })
			}},
		{name: "database readable by others", check: "database", want: "mode 0644", fix: "chmod 600",
			fault: func(t *testing.T, f *doctorFixture) {
				d, err := db.Open(f.dbPath)
				if err != nil {
					t.Fatal(err)
				}
				d.Close()
				if err := os.Chmod(f.dbPath, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "database directory missing", check: "database", want: "does not exist", fix: "store.path",
			fault: func(t *testing.T, f *doctorFixture) {
				f.replace(t, f.dbPath, filepath.Join(filepath.Dir(f.dbPath), "nodir", "bot.db"))
			}},
		{name: "audit key lost", check: "audit key", want: "audit.key", fix: "restore the audit.key",
			fault: func(t *testing.T, f *doctorFixture) {
				d, err := db.Open(f.dbPath)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if err := d.SetAuditKey([]byte("doctor-test-audit-key-0123456789")); err != nil {
					t.Fatal(err)
				}
				if err := d.AppendAudit(t.Context(), &db.AuditEntry{Actor: "zhangsan", Command: "ping", Decision: "ok"}); err != nil {
					t.Fatal(err)
				}
				f.replace(t, `key = "doctor-test-audit-key-0123456789"`, `# key lost`)
			}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.check] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newDoctorFixture(t, tc.emu)
			if tc.fault != nil {
				tc.fault(t, f)
			}
			out, err := f.run(t)
			if err == nil {
				t.Errorf("doctor exited 0 with %s", tc.name)
			}
			status, lines := checkLines(out, tc.check)
			text := strings.Join(lines, "\n")
			if status != "FAIL" || !strings.Contains(text, tc.want) {
				t.Errorf("check %q: %q; want FAIL mentioning %q", tc.check, lines, tc.want)
			}
			if len(lines) < 2 || !strings.Contains(lines[1], "fix:") || !strings.Contains(lines[1], tc.fix) {
				t.Errorf("check %q: fix %q; want one naming %q", tc.check, lines, tc.fix)
			}
			if t.Failed() {
				t.Log(out)
			}
		})
	}
	for _, c := range doctorChecks {
		if !covered[c.name] {
			t.Errorf("check %q has no fault case", c.name)
		}
	}
}
