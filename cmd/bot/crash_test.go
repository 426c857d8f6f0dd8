package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestMain lets a test run this binary as the real `bot` process: with WECOMBOT_MAIN set, it runs the command
// line in WECOMBOT_ARGS instead of the tests.
func TestMain(m *testing.M) {
	if args := os.Getenv("WECOMBOT_MAIN"); args != "" {
		os.Args = append([]string{"bot"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// botProcess runs `bot serve --config path` as a child process.
func startBotProcess(t *testing.T, cfgPath, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WECOMBOT_MAIN=serve --config "+cfgPath)
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("bot log:\n%s", logBuf.String())
		}
	})
	waitFor(t, 20*time.Second, "the bot to listen", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return cmd
}

// TestCrash_killNineLosesNothing kills the bot with SIGKILL while callbacks arrive, restarts it, and checks
// that every callback that got 200 was acted on exactly once.
func TestCrash_killNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the child listens here
	emu := wecomtest.NewServer(t, wecomtest.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey})
	cfg := testConfig(t, addr, emu.URL, filepath.Join(dir, "bot.db"))
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, `
[wecom]
corp_id = %q
agent_id = %d
secret = %q
api_base = %q
[callback]
listen = %q
token = %q
encoding_aes_key = %q
[store]
path = %q
[log]
level = "warn"
`, cfg.WeCom.CorpID, cfg.WeCom.AgentID, cfg.WeCom.Secret, cfg.WeCom.APIBase, addr, testToken, testAESKey, cfg.Store.Path), 0o600); err != nil {
		t.Fatal(err)
	}
	crypter, _ := wecom.NewCrypter(testToken, testAESKey, cfg.WeCom.CorpID)

	// 150 callbacks from 6 members: 25 each, under WeCom's 30 a minute, so every reply can go out at once.
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu"}
	const total = 150
	post := func(i int) bool {
		u := users[i%len(users)]
		ts := fmt.Sprint(time.Now().Unix())
		body, sig, err := crypter.EncryptCallback(emu.TextMessage(u, fmt.Sprintf("/help c%03d", i), uint64(500_000+i), time.Now()), ts, "n", "1000002")
		if err != nil {
			t.Error(err)
			return false
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"n"}}
		c := &http.Client{Timeout: 5 * time.Second}
		resp, err := c.Post("http://"+addr+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}

	bot := startBotProcess(t, cfgPath, addr)
	var mu sync.Mutex
	acked := map[int]bool{}
	killed := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	next := make(chan int)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ok := post(i)
				mu.Lock()
				if ok {
					acked[i] = true
				}
				n := len(acked)
				mu.Unlock()
				if n == total/3 {
					killOnce.Do(func() {
						bot.Process.Signal(syscall.SIGKILL) // mid-stream: requests and work in flight
						close(killed)
					})
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	<-killed
	bot.Wait()
	mu.Lock()
	before := len(acked)
	mu.Unlock()

	// Restart; WeCom redelivers what got no 200.
	bot = startBotProcess(t, cfgPath, addr)
	for i := 0; i < total; i++ {
		if !acked[i] && post(i) {
			acked[i] = true
		}
	}
	t.Logf("acknowledged %d of %d before the kill, %d after redelivery", before, total, len(acked))
	if len(acked) != total {
		t.Fatalf("only %d of %d callbacks acknowledged after restart", len(acked), total)
	}
	replies := func() map[string]int {
		var all []wecomtest.SentMessage
		for _, u := range users {
			all = append(all, emu.Delivered(u)...)
		}
		return countTokens(all)
	}
	waitFor(t, 60*time.Second, "every acknowledged callback to be answered", func() bool {
		r := replies()
		for i := range acked {
			if r[fmt.Sprintf("c%03d", i)] == 0 {
				return false
			}
		}
		return true
	})
	// Stop the bot cleanly and read its database.
	bot.Process.Signal(syscall.SIGTERM)
	bot.Wait()
	d, err := db.Open(cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for i := range acked {
		it, state, err := d.GetInbox(ctx, fmt.Sprintf("msg:%d", 500_000+i))
		if err != nil || state != "done" {
			t.Errorf("callback %d: inbox state %q, %v; want done", i, state, err)
			continue
		}
		var n int
		d.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE inbox_id = ?`, it.ID).Scan(&n)
		if n != 1 {
			t.Errorf("callback %d handled into %d outbox rows; want exactly 1", i, n)
		}
	}
	// Replies: at least once each. A reply whose send was cut by the kill after WeCom took it is sent again
	// (message/send has no read-back); at most one per sender worker can be in that state.
	dups := 0
	for i := range acked {
		if n := replies()[fmt.Sprintf("c%03d", i)]; n > 1 {
			dups += n - 1
		}
	}
	t.Logf("replies duplicated by the kill: %d", dups)
	if dups > 4 {
		t.Errorf("%d duplicated replies; at most 4 (sends in flight) are possible", dups)
	}
	for _, u := range users {
		if n := emu.DroppedCount(u); n != 0 {
			t.Errorf("WeCom dropped %d messages to %s: the per-member limit was exceeded across the restart", n, u)
		}
	}
}
