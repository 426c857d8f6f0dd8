package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// stack is the bot and the emulator, each on its own loopback port, wired to each other as in production.
type stack struct {
	app  *app
	emu  *wecomtest.Server
	cfg  *config.Config
	addr string // the bot's listen address
	done chan error
}

const (
	testToken  = emulator.DefaultToken
	testAESKey = emulator.DefaultAESKey
)

// testConfig is a config for a bot at listen talking to WeCom at apiBase.
func testConfig(t testing.TB, listen, apiBase, dbPath string) *config.Config {
	t.Helper()
	return testConfigExtra(t, listen, apiBase, dbPath, "")
}

// testConfigExtra is testConfig with more TOML appended (sections such as [alerts] or [approvals]).
func testConfigExtra(t testing.TB, listen, apiBase, dbPath, extra string) *config.Config {
	t.Helper()
	doc := fmt.Sprintf(`
[wecom]
corp_id = %q
agent_id = %d
secret = %q
api_base = %q
[callback]
listen = %q
public_url = %q
token = %q
encoding_aes_key = %q
[store]
path = %q
`, emulator.DefaultCorpID, emulator.DefaultAgentID, emulator.DefaultSecret, apiBase, listen,
		"http://"+listen+"/wecom/callback", testToken, testAESKey, dbPath) + sampleAccessTOML + extra
	cfg, err := config.Parse(doc, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(extra, "language") {
		cfg.Replies.Language = "en" // the tests read English unless they say otherwise; the product's default is zh
	}
	return cfg
}

// startStack starts the emulator and the bot. tune may adjust the emulator options and the app before it runs.
func startStack(t testing.TB, emuOpts emulator.Options, tune func(*app)) *stack {
	t.Helper()
	return startStackWith(t, emuOpts, "", tune)
}

// startStackWith is startStack with extra config TOML (see testConfigExtra).
func startStackWith(t testing.TB, emuOpts emulator.Options, extraTOML string, tune func(*app)) *stack {
	t.Helper()
	return startStackFull(t, emuOpts, extraTOML, nil, tune)
}

// selfDomain as the emulator's RedirectDomain stands for the bot's own host:port (its trusted domain).
const selfDomain = "self"

// startStackFull is startStackWith that may also adjust the config once the emulator's address is known.
func startStackFull(t testing.TB, emuOpts emulator.Options, extraTOML string, tuneCfg func(*config.Config, *wecomtest.Server), tune func(*app)) *stack {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	emuOpts.CallbackURL = "http://" + addr + "/wecom/callback"
	emuOpts.Token, emuOpts.EncodingAESKey = testToken, testAESKey
	if emuOpts.RedirectDomain == selfDomain {
		emuOpts.RedirectDomain = addr
	}
	emu := wecomtest.NewServer(t, emuOpts)
	cfg := testConfigExtra(t, addr, emu.URL, filepath.Join(t.TempDir(), "bot.db"), extraTOML)
	if tuneCfg != nil {
		tuneCfg(cfg, emu)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if tt, ok := t.(*testing.T); ok && testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{tt}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := newApp(cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.processor.Poll, a.sender.Poll = 50*time.Millisecond, 50*time.Millisecond
	if tune != nil {
		tune(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stack{app: a, emu: emu, cfg: cfg, addr: addr, done: make(chan error, 1)}
	go func() { s.done <- a.run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; err != nil {
			t.Errorf("app.run: %v", err)
		}
	})
	return s
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// replies counts the bot's replies to userid by the token they answer. Tests send "/help TOKEN", whose real
// reply names "/TOKEN", so each callback has a distinct, recognisable answer.
func (s *stack) replies(userid string) map[string]int {
	return countTokens(s.emu.Delivered(userid))
}

var tokenRE = regexp.MustCompile(`/([a-z]\d{3,4})\b`)

func countTokens(msgs []emulator.SentMessage) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		for t := range messageTokens(m) {
			out[t]++
		}
	}
	return out
}

// messageTokens are the distinct tokens one message carries: one per reply, several when the sender merged
// replies a member limit held back.
func messageTokens(m emulator.SentMessage) map[string]bool {
	out := map[string]bool{}
	for _, t := range tokenRE.FindAllStringSubmatch(m.Content, -1) {
		out[t[1]] = true
	}
	return out
}

func TestE2E_verifyURL(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	echo, got, err := s.emu.VerifyURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got != echo || echo == "" {
		t.Fatalf("bot answered %q to URL verification; want exactly %q", got, echo)
	}
}

func TestE2E_wrongSignatureStoresNothing(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c, _ := wecom.NewCrypter(testToken, testAESKey, s.cfg.WeCom.CorpID)
	ts := fmt.Sprint(time.Now().Unix())
	body, _, err := c.EncryptCallback(s.emu.TextMessage("lisi", "forged", 1, time.Now()), ts, "n", strconv.Itoa(emulator.DefaultAgentID))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {strings.Repeat("a", 40)}, "timestamp": {ts}, "nonce": {"n"}}
	resp, err := http.Post("http://"+s.addr+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("wrong signature: HTTP %d; want 4xx", resp.StatusCode)
	}
	counts, err := s.app.db.InboxCounts(t.Context())
	if err != nil || len(counts) != 0 {
		t.Fatalf("inbox after a forged callback = %v, %v; want empty", counts, err)
	}
}

func TestE2E_redeliveredActedOnOnce(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c, _ := wecom.NewCrypter(testToken, testAESKey, s.cfg.WeCom.CorpID)
	ts := fmt.Sprint(time.Now().Unix())
	body, sig, err := c.EncryptCallback(s.emu.TextMessage("wangwu", "/help o777", 777, time.Now()), ts, "n", strconv.Itoa(emulator.DefaultAgentID))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"n"}}
	for i := 0; i < 4; i++ { // the first delivery and WeCom's 3 retries, byte for byte
		resp, err := http.Post("http://"+s.addr+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("delivery %d: HTTP %d", i+1, resp.StatusCode)
		}
	}
	want := "o777"
	waitFor(t, 5*time.Second, "the reply", func() bool { return s.replies("wangwu")[want] > 0 })
	// Give a wrongly duplicated reply time to show up before counting.
	time.Sleep(300 * time.Millisecond)
	if n := s.replies("wangwu")[want]; n != 1 {
		t.Fatalf("replies = %d; want exactly 1 for 4 deliveries", n)
	}
}

func TestE2E_thousandConcurrent(t *testing.T) {
	t.Parallel()
	// The per-member limits are scaled up on both sides: this test is about ingestion, not throttling.
	s := startStack(t, emulator.Options{MemberPerMinute: 1 << 20, MemberPerHour: 1 << 20}, func(a *app) {
		a.sender.MemberLimits = []wecom.Window{{N: 1 << 20, Per: time.Minute}}
	})
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu"}
	const total, conns = 1000, 64
	var wg sync.WaitGroup
	next := make(chan int)
	failures := make(chan error, total)
	var retried atomic.Int32
	for g := 0; g < conns; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				u := users[i%len(users)]
				res, err := s.emu.Deliver(t.Context(), s.emu.TextMessage(u, fmt.Sprintf("/help m%04d", i), uint64(10_000+i), time.Now()))
				// What matters is that every callback is answered and acted on once; on a busy machine the emulator
				// may retry one as WeCom would (a slow answer), and the retry must be recognised as a duplicate.
				if err != nil || res.Status != 200 {
					failures <- fmt.Errorf("callback %d: %+v %v", i, res, err)
				}
				if res.Attempts > 1 {
					retried.Add(1)
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	count := func() int {
		n := 0
		for _, u := range users {
			for _, c := range s.replies(u) {
				n += c
			}
		}
		return n
	}
	waitFor(t, 60*time.Second, "1,000 replies", func() bool { return count() >= total })
	// Every callback is done and the outbox empty: nothing more can arrive, so duplicates would show now.
	waitFor(t, 10*time.Second, "the inbox and outbox to drain", func() bool {
		in, _ := s.app.db.InboxCounts(t.Context())
		out, _ := s.app.db.OutboxCounts(t.Context())
		return in["done"] == total && out["pending"] == 0 && out["sending"] == 0
	})
	if n := retried.Load(); n > 0 {
		t.Logf("%d callbacks were retried by the emulator (slow answers); each was acted on once", n)
	}
	for i := 0; i < total; i++ {
		u := users[i%len(users)]
		if n := s.replies(u)[fmt.Sprintf("m%04d", i)]; n != 1 {
			t.Errorf("callback %d acted on %d times; want 1", i, n)
		}
	}
	if n := count(); n != total {
		t.Errorf("total replies = %d; want %d", n, total)
	}
	counts, _ := s.app.db.InboxCounts(t.Context())
	if counts["done"] != total {
		t.Errorf("inbox = %v; want %d done", counts, total)
	}
}

func TestE2E_readyz(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get("http://" + s.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d; want %d", path, resp.StatusCode, want)
		}
	}
	// With a token cached, a bot that cannot reach WeCom is not ready, and says so; ready again once WeCom is.
	readyz := func(s *stack) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	s.say(t, "zhangsan", "/ping") // a token is cached
	s.emu.SetUnreachable(true)
	s.app.client.Misc.GetCallbackIP(t.Context()) // some call finds WeCom gone
	if code, body := readyz(s); code != 503 || !strings.Contains(body, "WeCom unreachable") {
		t.Fatalf("readyz with WeCom unreachable = %d %q; want 503 saying WeCom is unreachable", code, body)
	}
	s.emu.SetUnreachable(false)
	if code, body := readyz(s); code != 200 || !strings.Contains(body, "last WeCom call: getcallbackip") {
		t.Fatalf("readyz after WeCom came back = %d %q; want 200 with the last call", code, body)
	}
	// A bot whose secret WeCom rejects is alive but not ready, and says why.
	bad := startStack(t, emulator.Options{Secret: "rotated-secret"}, nil)
	resp, err := http.Get("http://" + bad.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "40001") || !strings.Contains(string(body), "wecom.secret") {
		t.Fatalf("readyz with a wrong secret = %d %q; want 503 naming errcode 40001 and wecom.secret", resp.StatusCode, body)
	}
	if strings.Contains(string(body), emulator.DefaultSecret) {
		t.Fatalf("readyz leaks the secret: %q", body)
	}
}
