package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The web console end to end over HTTP: sign-in through the emulator's WeCom pages, sessions, CSRF, access
// and a decision that updates the cards. (The browser tests drive the same pages in Chromium.)

const (
	desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	wecomUA   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh"
)

// startConsoleStack runs the bot with approvers, its console at its own origin (the emulator's trusted
// domain) and WeCom's sign-in pages played by the emulator.
func startConsoleStack(t *testing.T, tune func(*app)) *stack {
	t.Helper()
	return startStackFull(t, emulator.Options{RedirectDomain: selfDomain}, approvalsTOML, func(cfg *config.Config, emu *wecomtest.Server) {
		cfg.WeCom.AuthorizeURL = emu.URL + emulator.AuthorizePath
		cfg.WeCom.WebLoginURL = emu.URL + emulator.WebLoginPath
	}, tune)
}

// browser is a visitor with cookies who follows redirects itself, so each step can be checked.
type browser struct {
	t    *testing.T
	ua   string
	jar  *cookiejar.Jar
	http *http.Client
	last *http.Response
	// setCookies are every Set-Cookie header seen, in order.
	setCookies []string
}

func newBrowser(t *testing.T, ua string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ua: ua, jar: jar, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, link string, form url.Values, header map[string]string) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, link, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("User-Agent", b.ua)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, link, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	b.last = resp
	b.setCookies = append(b.setCookies, resp.Header.Values("Set-Cookie")...)
	return resp.StatusCode, string(raw)
}

// follow GETs link and follows redirects, returning the final status, URL and body.
func (b *browser) follow(link string) (int, string, string) {
	b.t.Helper()
	for range 10 {
		st, body := b.do("GET", link, nil, nil)
		if st != http.StatusFound {
			return st, link, body
		}
		next, _ := b.last.Request.URL.Parse(b.last.Header.Get("Location"))
		link = next.String()
	}
	b.t.Fatalf("too many redirects from %s", link)
	return 0, "", ""
}

var hrefRE = regexp.MustCompile(`id="web-login" href="([^"]+)"`)
var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// signIn signs user in through the web login (a desktop browser) and returns the page next shows.
func (b *browser) signIn(s *stack, user, next string) (int, string) {
	b.t.Helper()
	st, at, body := b.follow("http://" + s.addr + next)
	if st != 200 || !strings.Contains(at, "/console/login") {
		b.t.Fatalf("a visitor without a session: %d at %s; want the sign-in page", st, at)
	}
	m := hrefRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no web login link on the sign-in page: %s", body)
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	// WeCom's web login: the member scans the code; the emulator is told who.
	st, at, body = b.follow(link + "&emulator_user=" + user)
	if st != 200 {
		b.t.Fatalf("after signing in as %s: %d at %s: %s", user, st, at, body)
	}
	return st, body
}

func (b *browser) sessionCookie(s *stack) *http.Cookie {
	u, _ := url.Parse("http://" + s.addr + "/console/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "wecombot_console" {
			return c
		}
	}
	return nil
}

func TestConsole_signInDecideAndRefuse(t *testing.T) {
	t.Parallel()
	s := startConsoleStack(t, nil)
	applyID := s.apply(t, "sunqi", 1, "需要更大的邮箱")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return s.card(t, "zhangsan", applyID) != "" && s.card(t, "zhaoliu", applyID) != "" })

	zl := newBrowser(t, desktopUA)
	_, body := zl.signIn(s, "zhaoliu", "/console/approvals")
	if !strings.Contains(body, applyID) || !strings.Contains(body, "孙七 (sunqi)") {
		t.Fatalf("the approvals list does not show %s by 孙七 (sunqi): %s", applyID, body)
	}
	if !strings.Contains(body, ">1 application<") {
		t.Errorf("the approvals list does not count its one application in the singular: %s", body)
	}
	// The session cookie: HttpOnly, SameSite=Lax, scoped to /console (Secure only over https).
	var setCookie string
	for _, h := range zl.setCookies {
		if strings.HasPrefix(h, "wecombot_console=") {
			setCookie = h
		}
	}
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") || !strings.Contains(setCookie, "Path=/console") ||
		strings.Contains(setCookie, "Secure") {
		t.Fatalf("session cookie %q; want HttpOnly, SameSite=Lax, Path=/console, not Secure over http", setCookie)
	}
	page := "http://" + s.addr + "/console/approvals/" + applyID
	st, body := zl.do("GET", page, nil, nil)
	m := csrfRE.FindStringSubmatch(body)
	if st != 200 || m == nil || !strings.Contains(body, `id="approve"`) {
		t.Fatalf("the application page: %d, csrf %v: %s", st, m, body)
	}
	csrf := m[1]
	origin := map[string]string{"Origin": "http://" + s.addr}

	// A forged token: refused, nothing decided, audited.
	st, body = zl.do("POST", page, url.Values{"csrf": {strings.Repeat("0", 64)}, "action": {"approve"}}, origin)
	if st != http.StatusForbidden || !strings.Contains(body, "security token") {
		t.Fatalf("forged CSRF token: %d %s; want 403", st, body)
	}
	// The right token from another site's page: refused too.
	st, _ = zl.do("POST", page, url.Values{"csrf": {csrf}, "action": {"approve"}}, map[string]string{"Origin": "https://evil.example.net"})
	if st != http.StatusForbidden {
		t.Fatalf("a post from another origin: %d; want 403", st)
	}
	if a, _ := s.app.db.GetApplication(t.Context(), applyID); a.State != db.AppTaken {
		t.Fatalf("after refused posts the application is %s; want still taken", a.State)
	}
	// Approve: decided once, every card updated, audited via=web.
	st, body = zl.do("POST", page, url.Values{"csrf": {csrf}, "action": {"approve"}}, origin)
	if st != 200 || !strings.Contains(body, `id="result"`) {
		t.Fatalf("approve: %d %s", st, body)
	}
	if a, _ := s.app.db.GetApplication(t.Context(), applyID); a.State != db.AppApproved || a.DecidedBy != "zhaoliu" {
		t.Fatalf("application after the page's approval: %+v", a)
	}
	waitFor(t, 10*time.Second, "zhangsan's card updated", func() bool { return len(s.updates("zhangsan")) > 0 })
	if u := strings.Join(s.updates("zhangsan"), " "); !strings.Contains(u, "zhaoliu") {
		t.Fatalf("zhangsan's card update %s; want it to name zhaoliu", u)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Limit: 50})
	var ok, denied int
	for _, e := range entries {
		if e.Args["via"] != "web" {
			continue
		}
		switch {
		case e.Command == "order approve" && e.Decision == db.DecisionOK:
			ok++
		case e.Decision == db.DecisionDenied && strings.Contains(e.Result, "CSRF"):
			denied++
		}
	}
	if ok != 1 || denied != 2 {
		t.Fatalf("zhaoliu's web audit rows: %d approvals, %d refused posts; want 1 and 2: %+v", ok, denied, entries)
	}
	// A second decision (a late click) is told who decided.
	st, body = zl.do("POST", page, url.Values{"csrf": {csrf}, "action": {"reject"}, "reason": {"late"}}, origin)
	if st != 200 || strings.Contains(body, `id="approve"`) {
		t.Fatalf("a second decision: %d; the page still offers to decide: %s", st, body)
	}

	// A member without the rights: 403, audited.
	ls := newBrowser(t, desktopUA)
	st, _ = ls.signIn(s, "lisi", "/console/")
	if st != 200 {
		t.Fatalf("lisi signs in: %d", st)
	}
	st, body = ls.do("GET", "http://"+s.addr+"/console/approvals", nil, nil)
	if st != http.StatusForbidden || !strings.Contains(body, "order.read") {
		t.Fatalf("lisi opens the approvals: %d %s; want 403 naming order.read", st, body)
	}
	if rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "lisi", Decision: db.DecisionDenied}); len(rows) != 1 || rows[0].Args["via"] != "web" {
		t.Fatalf("lisi's refusal in the trail: %+v", rows)
	}
	// Logout ends the session: the cookie no longer signs in.
	m = csrfRE.FindStringSubmatch(body)
	cookie := ls.sessionCookie(s)
	if st, _ = ls.do("POST", "http://"+s.addr+"/console/logout", url.Values{"csrf": {m[1]}}, origin); st != 200 {
		t.Fatalf("logout: %d", st)
	}
	again := newBrowser(t, desktopUA)
	u, _ := url.Parse("http://" + s.addr + "/console/")
	again.jar.SetCookies(u, []*http.Cookie{cookie})
	if st, at, _ := again.follow("http://" + s.addr + "/console/approvals"); !strings.Contains(at, "/console/login") {
		t.Fatalf("the logged-out cookie still opens the console: %d at %s", st, at)
	}
}

func TestConsole_insideWeComSignsInSilently(t *testing.T) {
	t.Parallel()
	s := startConsoleStack(t, nil)
	b := newBrowser(t, wecomUA)
	st, _ := b.do("GET", "http://"+s.addr+"/console/", nil, nil)
	loc, _ := url.Parse(b.last.Header.Get("Location"))
	if st != http.StatusFound || loc == nil || loc.Path != emulator.AuthorizePath || loc.Query().Get("scope") != "snsapi_base" {
		t.Fatalf("inside WeCom: %d to %v; want straight to OAuth (snsapi_base)", st, loc)
	}
	q := loc.Query()
	q.Set("emulator_user", "zhangsan")
	loc.RawQuery = q.Encode()
	st, at, body := b.follow(loc.String())
	if st != 200 || !strings.HasSuffix(at, "/console/") || !strings.Contains(body, "张三 (zhangsan)") || !strings.Contains(body, "jweixin") {
		t.Fatalf("after OAuth: %d at %s: %s", st, at, body)
	}
	// The page's JS-SDK signatures: for the console's own pages only, and the ones WeCom's client accepts.
	page := "http://" + s.addr + "/console/approvals?state=open"
	st, body = b.do("GET", "http://"+s.addr+"/console/jssdk?url="+url.QueryEscape(page), nil, nil)
	var sig struct {
		Config struct {
			CorpID    string `json:"corpid"`
			Timestamp int64  `json:"timestamp"`
			NonceStr  string `json:"nonceStr"`
			Signature string `json:"signature"`
		} `json:"config"`
		AgentConfig struct {
			AgentID   int    `json:"agentid"`
			Timestamp int64  `json:"timestamp"`
			NonceStr  string `json:"nonceStr"`
			Signature string `json:"signature"`
		} `json:"agentConfig"`
	}
	if err := json.Unmarshal([]byte(body), &sig); st != 200 || err != nil {
		t.Fatalf("jssdk: %d %s", st, body)
	}
	if why := s.emu.CheckJSSignature("jsapi", sig.Config.NonceStr, sig.Config.Timestamp, page, sig.Config.Signature); why != "" || sig.Config.CorpID != emulator.DefaultCorpID {
		t.Fatalf("wx.config refused: %s (%+v)", why, sig.Config)
	}
	if why := s.emu.CheckJSSignature("agent_config", sig.AgentConfig.NonceStr, sig.AgentConfig.Timestamp, page, sig.AgentConfig.Signature); why != "" || sig.AgentConfig.AgentID != emulator.DefaultAgentID {
		t.Fatalf("wx.agentConfig refused: %s (%+v)", why, sig.AgentConfig)
	}
	for _, other := range []string{"https://evil.example.net/console/", "http://" + s.addr + "/approvals/x", "http://" + s.addr + ".evil.net/console/", ""} {
		if st, _ := b.do("GET", "http://"+s.addr+"/console/jssdk?url="+url.QueryEscape(other), nil, nil); st != http.StatusBadRequest {
			t.Errorf("jssdk for %q: %d; want 400", other, st)
		}
	}
}

func TestConsole_expiredSessionAndForgedState(t *testing.T) {
	t.Parallel()
	var ahead atomic.Int64 // how far the console's clock is ahead of the wall clock
	s := startConsoleStack(t, func(a *app) {
		a.console.SetClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) })
	})
	b := newBrowser(t, desktopUA)
	b.signIn(s, "zhangsan", "/console/")
	m := csrfRE.FindStringSubmatch(func() string { _, body := b.do("GET", "http://"+s.addr+"/console/", nil, nil); return body }())
	if m == nil {
		t.Fatal("no CSRF token on the home page")
	}
	ahead.Store(int64(31 * time.Minute)) // past the idle timeout (30 minutes)
	st, _ := b.do("GET", "http://"+s.addr+"/console/approvals", nil, nil)
	if loc := b.last.Header.Get("Location"); st != http.StatusFound || !strings.Contains(loc, "/console/login") {
		t.Fatalf("an expired session: %d to %q; want the sign-in again", st, loc)
	}
	st, body := b.do("POST", "http://"+s.addr+"/console/logout", url.Values{"csrf": {m[1]}}, nil)
	if st != http.StatusUnauthorized || !strings.Contains(body, "session has ended") {
		t.Fatalf("a post with an expired session: %d %s; want 401 saying so", st, body)
	}
	// A code brought back by another browser (no nonce cookie): refused before WeCom is asked.
	code, _ := s.control(t, "oauth-code", map[string]any{"userid": "zhangsan"})["code"].(string)
	other := newBrowser(t, desktopUA)
	calls := len(s.emu.CallsTo("auth/getuserinfo"))
	st, _ = other.do("GET", "http://"+s.addr+"/console/auth?"+url.Values{"code": {code}, "state": {"1s00"}, "next": {"/console/"}}.Encode(), nil, nil)
	if st != http.StatusBadRequest || len(s.emu.CallsTo("auth/getuserinfo")) != calls {
		t.Fatalf("a forged state: %d and %d getuserinfo calls; want 400 and none", st, len(s.emu.CallsTo("auth/getuserinfo"))-calls)
	}
}

func TestConsole_inChinese(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{RedirectDomain: selfDomain}, approvalsTOML+"[replies]\nlanguage = \"zh\"\n",
		func(cfg *config.Config, emu *wecomtest.Server) {
			cfg.WeCom.AuthorizeURL = emu.URL + emulator.AuthorizePath
			cfg.WeCom.WebLoginURL = emu.URL + emulator.WebLoginPath
		}, nil)
	applyID := s.apply(t, "sunqi", 2, "文档空间不够")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return s.card(t, "zhaoliu", applyID) != "" })
	b := newBrowser(t, desktopUA)
	_, list := b.signIn(s, "zhaoliu", "/console/approvals")
	_, detail := b.do("GET", "http://"+s.addr+"/console/approvals/"+applyID, nil, nil)
	_, _, login := newBrowser(t, desktopUA).follow("http://" + s.addr + "/console/")
	for name, page := range map[string]string{"list": list, "detail": detail, "login": login} {
		if !strings.Contains(page, `lang="zh-CN"`) {
			t.Errorf("%s page is not marked Chinese", name)
		}
		text := regexp.MustCompile(`(?s)<script.*?</script>|<[^>]+>`).ReplaceAllString(page, " ")
		text = strings.ReplaceAll(text, "wecombot", "")
		if left := i18ntest.EnglishLeft(text); len(left) > 0 {
			t.Errorf("%s page reads English: %q", name, left)
		}
	}
	if !strings.Contains(detail, "审批截止") || !strings.Contains(detail, "通过") {
		t.Errorf("the detail page is not in Chinese: %s", detail)
	}
}

func TestConsole_auditAndOutbox(t *testing.T) {
	t.Parallel()
	s := startConsoleStack(t, nil)
	// A reply WeCom refuses for good (81013: no valid recipient) ends failed in the outbox.
	s.control(t, "fail", map[string]any{"path": "message/send", "errcode": 81013, "times": 1})
	s.say(t, "wangwu", "/ping")
	waitFor(t, 10*time.Second, "the failed reply", func() bool { c, _ := s.app.db.OutboxCounts(t.Context()); return c["failed"] == 1 })

	b := newBrowser(t, desktopUA)
	_, body := b.signIn(s, "zhangsan", "/console/audit?user=wangwu")
	if !strings.Contains(body, `id="chain" class="ok"`) || !regexp.MustCompile(`<code id="head">(sha256:|hmac-sha256:)?[0-9a-f]{64}</code>`).MatchString(body) {
		t.Fatalf("the audit page does not show a verified chain and its head: %s", body)
	}
	// The CSV export: UTF-8 with a BOM, a header, every matching row.
	st, csvBody := b.do("GET", "http://"+s.addr+"/console/audit.csv?command=console", nil, nil)
	if st != 200 || !strings.HasPrefix(csvBody, "\xEF\xBB\xBF") || b.last.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("audit.csv: %d %q %q", st, b.last.Header.Get("Content-Type"), csvBody[:min(len(csvBody), 80)])
	}
	want, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "console", Limit: 200})
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csvBody, "\xEF\xBB\xBF")), "\n")
	if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "Row,Time,Member") {
		t.Fatalf("audit.csv has %d lines for %d rows: %q", len(lines), len(want), lines)
	}
	// Reading the trail is audited.
	if rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhangsan", Command: "audit"}); len(rows) < 2 || rows[0].Args["via"] != "web" {
		t.Fatalf("zhangsan's reads of the trail are not audited: %+v", rows)
	}

	// The outbox: the failed reply with its errcode, and a retry that sends it.
	st, body = b.do("GET", "http://"+s.addr+"/console/outbox", nil, nil)
	if st != 200 || !strings.Contains(body, "errcode 81013") {
		t.Fatalf("outbox page: %d %s", st, body)
	}
	failed, _ := s.app.db.ConsoleOutbox(t.Context(), "failed", 10)
	id := failed[0].ID
	csrf := csrfRE.FindStringSubmatch(body)[1]
	before := len(s.emu.Delivered("wangwu"))
	st, body = b.do("POST", "http://"+s.addr+"/console/outbox/"+strconv.FormatInt(id, 10)+"/retry", url.Values{"csrf": {csrf}},
		map[string]string{"Origin": "http://" + s.addr})
	if st != 200 || !strings.Contains(body, `id="result"`) {
		t.Fatalf("retry: %d %s", st, body)
	}
	waitFor(t, 10*time.Second, "the retried reply delivered", func() bool { return len(s.emu.Delivered("wangwu")) == before+1 })
	// Retrying it again: it is no longer failed.
	if _, body = b.do("POST", "http://"+s.addr+"/console/outbox/"+strconv.FormatInt(id, 10)+"/retry", url.Values{"csrf": {csrf}}, nil); !strings.Contains(body, `id="error"`) {
		t.Fatalf("a second retry of a sent message: %s", body)
	}
	// Not an admin: the security role may read the trail but not the outbox.
	wj := newBrowser(t, desktopUA)
	wj.signIn(s, "wujiu", "/console/")
	if st, _ := wj.do("GET", "http://"+s.addr+"/console/outbox", nil, nil); st != http.StatusForbidden {
		t.Fatalf("wujiu opens the outbox: %d; want 403", st)
	}
	if st, _ := wj.do("GET", "http://"+s.addr+"/console/audit", nil, nil); st != http.StatusOK {
		t.Fatalf("wujiu (audit.read) opens the trail: %d; want 200", st)
	}
}

// WeCom's domain check: the WW_verify file named in the config, at the domain's root.
func TestConsole_servesWeComVerifyFile(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, "[console]\nverify_file = \"WW_verify_Ab12.txt\"\nverify_content = \"Ab12xyz\"\n", nil)
	resp, err := http.Get("http://" + s.addr + "/WW_verify_Ab12.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "Ab12xyz" {
		t.Fatalf("GET /WW_verify_Ab12.txt = %d %q", resp.StatusCode, b)
	}
	if resp, _ := http.Get("http://" + s.addr + "/WW_verify_other.txt"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another verify file: %d; want 404", resp.StatusCode)
	}
}

func TestConsole_devicesInBulkWithConfirmation(t *testing.T) {
	t.Parallel()
	s := startConsoleStack(t, nil)
	b := newBrowser(t, desktopUA)
	_, body := b.signIn(s, "wujiu", "/console/devices") // security: devices.*
	for _, code := range []string{"jEum39b", "tewmyng", "8H92Hwo", "Qq2CYeU"} {
		if !strings.Contains(body, `value="`+code+`"`) {
			t.Fatalf("the devices page does not offer %s: %s", code, body)
		}
	}
	csrf := csrfRE.FindStringSubmatch(body)[1]
	origin := map[string]string{"Origin": "http://" + s.addr}
	form := url.Values{"csrf": {csrf}, "action": {"approve"}, "code": {"jEum39b", "tewmyng", "nosuchdev"}}
	// First the confirmation: exactly the devices that will be approved, nothing called yet.
	st, body := b.do("POST", "http://"+s.addr+"/console/devices", form, origin)
	if st != 200 || !strings.Contains(body, `id="do"`) || !strings.Contains(body, "nosuchdev") || strings.Count(body, `type="hidden" name="code"`) != 2 {
		t.Fatalf("the confirmation page: %d %s", st, body)
	}
	if n := len(s.emu.CallsTo("security/trustdevice/approve")); n != 0 {
		t.Fatalf("%d approve calls before confirming", n)
	}
	form.Set("confirm", "1")
	form["code"] = []string{"jEum39b", "tewmyng"}
	st, body = b.do("POST", "http://"+s.addr+"/console/devices", form, origin)
	if st != 200 || !strings.Contains(body, `id="result"`) || !strings.Contains(body, "2 done, 0 failed") {
		t.Fatalf("approving: %d %s", st, body)
	}
	calls := s.emu.CallsTo("security/trustdevice/approve")
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), "jEum39b") || !strings.Contains(string(calls[0].Body), "tewmyng") {
		t.Fatalf("approve calls %+v; want one with both devices", calls)
	}
	rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "wujiu", Command: "devices approve"})
	if len(rows) != 1 || rows[0].Decision != db.DecisionOK || rows[0].Args["via"] != "web" || rows[0].Args["code"] != "jEum39b tewmyng" {
		t.Fatalf("audit of the web approval: %+v", rows)
	}
	// The approved ones are gone from the page; a member without devices.write cannot decide.
	if _, body = b.do("GET", "http://"+s.addr+"/console/devices", nil, nil); strings.Contains(body, `value="jEum39b"`) {
		t.Fatal("an approved device is still offered")
	}
	zl := newBrowser(t, desktopUA)
	zl.signIn(s, "zhaoliu", "/console/")
	if st, _ := zl.do("GET", "http://"+s.addr+"/console/devices", nil, nil); st != http.StatusForbidden {
		t.Fatalf("zhaoliu (no devices.read) opens devices: %d; want 403", st)
	}
}

func TestConsole_alertsAckSilenceAndChart(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{RedirectDomain: selfDomain}, approvalsTOML+alertsTOML, func(cfg *config.Config, emu *wecomtest.Server) {
		cfg.WeCom.AuthorizeURL = emu.URL + emulator.AuthorizePath
		cfg.WeCom.WebLoginURL = emu.URL + emulator.WebLoginPath
	}, nil)
	s.alertsReading(t)
	for i := range 3 {
		s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "lisi", OperType: 4, DetailInfo: fmt.Sprintf("新设备登录：PC-%d", i)})
	}
	s.alertsSettled(t, time.Now())
	digests, _ := s.app.db.RecentAlertDigests(t.Context(), time.Now().Add(-time.Hour), 10)
	if len(digests) == 0 {
		t.Fatal("no digest was pushed")
	}
	id := digests[0].ID

	b := newBrowser(t, desktopUA)
	_, body := b.signIn(s, "zhangsan", "/console/alerts")
	if !strings.Contains(body, `<svg id="chart"`) || !strings.Contains(body, "<rect") || !strings.Contains(body, "new-device-login") ||
		!strings.Contains(body, fmt.Sprintf(`id="ack-%d"`, id)) {
		t.Fatalf("the alerts page lacks the chart, the rule or the Ack button: %s", body)
	}
	csrf := csrfRE.FindStringSubmatch(body)[1]
	origin := map[string]string{"Origin": "http://" + s.addr}
	before := len(s.alertUpdates("wujiu"))
	st, body := b.do("POST", "http://"+s.addr+"/console/alerts", url.Values{"csrf": {csrf}, "action": {"ack"}, "digest": {strconv.FormatInt(id, 10)}}, origin)
	if st != 200 || !strings.Contains(body, `id="result"`) {
		t.Fatalf("ack: %d %s", st, body)
	}
	waitFor(t, 10*time.Second, "wujiu's card to show who acked", func() bool { return len(s.alertUpdates("wujiu")) > before })
	if u := s.alertUpdates("wujiu"); !strings.Contains(u[len(u)-1], "zhangsan") {
		t.Fatalf("wujiu's card reads %q; want it acked by zhangsan", u[len(u)-1])
	}
	if d, _ := s.app.db.GetAlertDigest(t.Context(), id); d.AckedBy != "zhangsan" {
		t.Fatalf("digest acked by %q", d.AckedBy)
	}
	st, body = b.do("POST", "http://"+s.addr+"/console/alerts", url.Values{"csrf": {csrf}, "action": {"silence"}, "rule": {"file-download"}, "hours": {"2"}}, origin)
	if st != 200 || !strings.Contains(body, "file-download") {
		t.Fatalf("silence: %d %s", st, body)
	}
	if sl, _ := s.app.db.ActiveAlertSilences(t.Context()); len(sl) != 1 || sl[0].Rule != "file-download" || sl[0].CreatedBy != "zhangsan" {
		t.Fatalf("silences in force: %+v", sl)
	}
	rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhangsan", Command: "alerts"})
	if len(rows) != 2 || rows[0].Args["via"] != "web" || rows[1].Args["via"] != "web" {
		t.Fatalf("the web ack and silence in the trail: %+v", rows)
	}
	// sunqi may read alerts but not act on them.
	sq := newBrowser(t, desktopUA)
	_, body = sq.signIn(s, "sunqi", "/console/alerts")
	if strings.Contains(body, `id="silence"`) || strings.Contains(body, `id="ack-`) {
		t.Fatal("a reader is offered buttons that need alerts.write")
	}
	csrf = csrfRE.FindStringSubmatch(body)[1]
	if st, _ := sq.do("POST", "http://"+s.addr+"/console/alerts", url.Values{"csrf": {csrf}, "action": {"ack"}, "digest": {"1"}}, origin); st != http.StatusForbidden {
		t.Fatalf("sunqi acks: %d; want 403", st)
	}
}

// The profile's sensitive fields come through snsapi_privateinfo with the member's consent, are shown, and are
// stored nowhere.
func TestConsole_profileDetailShownNotStored(t *testing.T) {
	t.Parallel()
	s := startConsoleStack(t, nil)
	b := newBrowser(t, wecomUA)
	signInWeCom := func(b *browser, user, path string) (int, string, string) {
		st, _ := b.do("GET", "http://"+s.addr+path, nil, nil)
		loc, _ := url.Parse(b.last.Header.Get("Location"))
		if st != http.StatusFound || loc == nil {
			t.Fatalf("GET %s inside WeCom: %d", path, st)
		}
		q := loc.Query()
		q.Set("emulator_user", user)
		loc.RawQuery = q.Encode()
		return b.follow(loc.String())
	}
	if st, _, body := signInWeCom(b, "lisi", "/console/me"); st != 200 || !strings.Contains(body, `id="show-detail"`) || strings.Contains(body, "13800000002") {
		t.Fatalf("the profile page: %d %s", st, body)
	}
	st, at, body := signInWeCom(b, "lisi", "/console/me/detail")
	if st != 200 || !strings.Contains(body, "13800000002") || !strings.Contains(body, "lisi@example.com") {
		t.Fatalf("the details: %d at %s: %s", st, at, body)
	}
	if calls := s.emu.CallsTo("auth/getuserdetail"); len(calls) != 1 {
		t.Fatalf("%d getuserdetail calls; want 1", len(calls))
	}
	// Nothing of it in the database files (the WAL included).
	dir := filepath.Dir(s.cfg.Store.Path)
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		raw, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		if bytes.Contains(raw, []byte("13800000002")) || bytes.Contains(raw, []byte("lisi@example.com")) {
			t.Fatalf("%s holds the member's mobile or email", f.Name())
		}
	}
	// A code for someone else shows nothing.
	z := newBrowser(t, wecomUA)
	signInWeCom(z, "zhangsan", "/console/")
	if st, _, _ := signInWeCom(z, "lisi", "/console/me/detail"); st != http.StatusForbidden {
		t.Fatalf("zhangsan's session with lisi's consent: %d; want 403", st)
	}
}
