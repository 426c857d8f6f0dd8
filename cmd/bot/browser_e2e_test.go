package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The console in a real browser (headless Chromium from Debian's packages; .ci/run installs it): sign in
// through the emulator's WeCom web login, approve in the page and see every card updated, a forged CSRF token
// refused, a member without rights refused, an expired session sent to sign in again. Screenshots of each page
// at phone and desktop width go to $WECOMBOT_ARTEFACTS (default: the test's temporary directory).

func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("no Chromium (apt-get install chromium); the browser tests run in CI")
	return ""
}

// newChrome starts a headless browser with ua, torn down with the test.
func newChrome(t *testing.T, ua string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.UserAgent(ua), chromedp.Flag("lang", "en-US"), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	// The first run starts the browser; it must not carry a timeout (that would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Accept the confirmation dialogs of decisions, as the approver would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return ctx
}

// do runs steps with a deadline.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

func artefacts(t *testing.T) string {
	dir := os.Getenv("WECOMBOT_ARTEFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shoot saves the current page at phone (390 px) and desktop (1280 px) width.
func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, size := range []struct {
		tag  string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		if err := do(t, ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Sleep(50*time.Millisecond)); err != nil {
			t.Fatalf("viewport for %s: %v", name, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.tag+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// browserSignIn opens next and signs in as user through the web login page and the emulator's pick page.
func browserSignIn(t *testing.T, ctx context.Context, s *stack, user, next string) {
	t.Helper()
	err := do(t, ctx,
		chromedp.Navigate("http://"+s.addr+next),
		chromedp.WaitVisible(chromedp.CSS("#web-login")),
		chromedp.Click(chromedp.CSS("#web-login")),
		chromedp.WaitVisible(chromedp.CSS("#as-"+user)),
		chromedp.Click(chromedp.CSS("#as-"+user)),
		chromedp.WaitVisible(chromedp.CSS("header .who")),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", user, err)
	}
}

func TestBrowser_consoleFlows(t *testing.T) {
	t.Parallel()
	chromium(t)
	var ahead atomic.Int64
	s := startStackFull(t, emulator.Options{RedirectDomain: selfDomain}, approvalsTOML+alertsTOML, func(cfg *config.Config, emu *wecomtest.Server) {
		cfg.WeCom.AuthorizeURL = emu.URL + emulator.AuthorizePath
		cfg.WeCom.WebLoginURL = emu.URL + emulator.WebLoginPath
	}, func(a *app) {
		a.console.SetClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) })
	})
	s.alertsReading(t)
	for i, rec := range []emulator.MemberOperRecord{{UserID: "lisi", OperType: 4}, {UserID: "wangwu", OperType: 13}, {UserID: "lisi", OperType: 4}} {
		rec.Time, rec.DetailInfo = time.Now(), fmt.Sprintf("新设备登录：PC-%d", i)
		s.emu.AddMemberOperRecord(rec)
	}
	s.alertsSettled(t, time.Now())
	dir := artefacts(t)
	applyID := s.apply(t, "sunqi", 1, "新项目需要更大的邮箱空间")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return s.card(t, "zhangsan", applyID) != "" })

	ctx := newChrome(t, desktopUA)
	// The sign-in page, then the list after signing in as zhaoliu (an approver).
	if err := do(t, ctx, chromedp.Navigate("http://"+s.addr+"/console/approvals"), chromedp.WaitVisible(chromedp.CSS("#web-login"))); err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, dir, "login")
	browserSignIn(t, ctx, s, "zhaoliu", "/console/approvals")
	if got := text(t, ctx, "main"); !strings.Contains(got, applyID) || !strings.Contains(got, "孙七 (sunqi)") {
		t.Fatalf("the approvals list reads %q; want %s by 孙七 (sunqi)", got, applyID)
	}
	shoot(t, ctx, dir, "approvals")

	// A forged CSRF token: the form is changed in the page, the post refused.
	err := do(t, ctx,
		chromedp.Navigate("http://"+s.addr+"/console/approvals/"+applyID),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, dir, "approval")
	err = do(t, ctx,
		chromedp.SetAttributeValue(chromedp.CSS(`form.decide input[name="csrf"]`), "value", strings.Repeat("0", 64)),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.CSS("p.error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "p.error"); !strings.Contains(got, "security token") {
		t.Fatalf("forged CSRF: %q", got)
	}
	shoot(t, ctx, dir, "csrf-refused")

	// Approve for real: the page says so, WeCom's other card is updated.
	err = do(t, ctx,
		chromedp.Navigate("http://"+s.addr+"/console/approvals/"+applyID),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#state"); !strings.Contains(got, "approved") {
		t.Fatalf("state after approving: %q", got)
	}
	shoot(t, ctx, dir, "approved")
	waitFor(t, 10*time.Second, "zhangsan's card updated", func() bool { return len(s.updates("zhangsan")) > 0 })

	// The admin's audit page shows the decision made on the web; the outbox page the messages sent.
	admin := newChrome(t, desktopUA)
	browserSignIn(t, admin, s, "zhangsan", "/console/")
	shoot(t, admin, dir, "home")
	if err := do(t, admin, chromedp.Navigate("http://"+s.addr+"/console/audit?user=zhaoliu"), chromedp.WaitVisible(chromedp.CSS("#chain"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, admin, "header .who span"); got != "张三 (zhangsan)" {
		t.Fatalf("the header names %q; want the signed-in member, 张三 (zhangsan)", got)
	}
	if got := text(t, admin, "main"); !strings.Contains(got, "order approve") || !strings.Contains(got, "via=web") {
		t.Fatalf("the audit page reads %q; want the web approval", got)
	}
	shoot(t, admin, dir, "audit")
	if err := do(t, admin, chromedp.Navigate("http://"+s.addr+"/console/outbox"), chromedp.WaitVisible(chromedp.CSS("main h2"))); err != nil {
		t.Fatal(err)
	}
	shoot(t, admin, dir, "outbox")
	// Alerts: the chart the server draws, the digests with their Ack buttons.
	if err := do(t, admin, chromedp.Navigate("http://"+s.addr+"/console/alerts"), chromedp.WaitVisible(chromedp.CSS("#chart"))); err != nil {
		t.Fatal(err)
	}
	shoot(t, admin, dir, "alerts")
	// Devices in bulk: select, confirm on the second page, done.
	err = do(t, admin, chromedp.Navigate("http://"+s.addr+"/console/devices"), chromedp.WaitVisible(chromedp.CSS("#devices")))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, admin, dir, "devices")
	err = do(t, admin, chromedp.Click(chromedp.CSS("#pick-8H92Hwo")), chromedp.Click(chromedp.CSS("#pick-Qq2CYeU")),
		chromedp.Click(chromedp.CSS("#reject")), chromedp.WaitVisible(chromedp.CSS("#do")))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, admin, "#confirm-text"); !strings.Contains(got, "2") {
		t.Fatalf("the confirmation reads %q; want the 2 devices", got)
	}
	shoot(t, admin, dir, "devices-confirm")
	if err := do(t, admin, chromedp.Click(chromedp.CSS("#do")), chromedp.WaitVisible(chromedp.CSS("#result"))); err != nil {
		t.Fatal(err)
	}
	if n := len(s.emu.CallsTo("security/trustdevice/reject")); n != 1 {
		t.Fatalf("%d reject calls; want 1", n)
	}
	shoot(t, admin, dir, "devices-done")

	// The session expires: the next page asks to sign in again.
	ahead.Store(int64(31 * time.Minute))
	if err := do(t, ctx, chromedp.Navigate("http://"+s.addr+"/console/approvals"), chromedp.WaitVisible(chromedp.CSS("#web-login"))); err != nil {
		t.Fatalf("an expired session did not lead to the sign-in page: %v", err)
	}
	ahead.Store(0)

	// A member without rights: refused, and the refusal is in the trail.
	lisi := newChrome(t, desktopUA)
	browserSignIn(t, lisi, s, "lisi", "/console/")
	if err := do(t, lisi, chromedp.Navigate("http://"+s.addr+"/console/approvals"), chromedp.WaitVisible(chromedp.CSS("p.error"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, lisi, "p.error"); !strings.Contains(got, "order.read") {
		t.Fatalf("lisi reads %q; want the refusal naming order.read", got)
	}
	shoot(t, lisi, dir, "forbidden")
	t.Logf("screenshots in %s", dir)
}
