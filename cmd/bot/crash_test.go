package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestMain lets a test run this binary as the real `bot` process: with WECOMBOT_MAIN set, it runs that command
// line instead of the tests. WECOMBOT_MEMBER_MINUTE shortens the minute of the sender's per-member limits, to
// the same length as the test's emulator counts in (Options.MemberMinute).
func TestMain(m *testing.M) {
	if args := os.Getenv("WECOMBOT_MAIN"); args != "" {
		if d, err := time.ParseDuration(os.Getenv("WECOMBOT_MEMBER_MINUTE")); err == nil {
			memberLimits = []wecom.Window{{N: 30, Per: d}, {N: 1000, Per: time.Hour}} // WeCom's, the minute shortened
		}
		os.Args = append([]string{"bot"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startBotProcess runs `wecombot serve --config path` as a child process, with env added to its environment.
func startBotProcess(t *testing.T, cfgPath, addr string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "WECOMBOT_MAIN=serve --config "+cfgPath), env...)
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
	addr := freeAddr(t)
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey})
	cfg, cfgPath := writeServeConfig(t, addr, emu.URL)

	// 150 callbacks from 6 members: 25 each, under WeCom's 30 a minute, so every reply can go out at once.
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu"}
	const total = 150
	post := func(i int) bool {
		return postCallback(t, emu.Server, addr, users[i%len(users)], fmt.Sprintf("/help c%03d", i), uint64(500_000+i))
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
		var all []emulator.SentMessage
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
	// (message/send has no read-back). The sender records outcomes after its request slots are free, so up to
	// one claimed batch (Workers×4 = 16) can be sent but not yet recorded: README's "Guarantees" states that
	// bound, and this test and crash_burst_test hold the bot to it.
	dups := 0
	for i := range acked {
		if n := replies()[fmt.Sprintf("c%03d", i)]; n > 1 {
			dups += n - 1
		}
	}
	t.Logf("replies duplicated by the kill: %d", dups)
	if dups > 16 {
		t.Errorf("%d duplicated replies; at most 16 (one claimed batch whose outcomes the kill cut off) are possible", dups)
	}
	for _, u := range users {
		if n := emu.DroppedCount(u); n != 0 {
			t.Errorf("WeCom dropped %d messages to %s: the per-member limit was exceeded across the restart", n, u)
		}
	}
}

// freeAddr returns a loopback address nothing listens on, for a child bot to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeServeConfig writes the config of a child `wecombot serve` listening on addr and talking to WeCom at apiBase,
// with its database in a temporary directory.
func writeServeConfig(t *testing.T, addr, apiBase string) (*config.Config, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := testConfig(t, addr, apiBase, filepath.Join(dir, "bot.db"))
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
	return cfg, cfgPath
}

// postCallback posts a text message from user to the bot at addr as WeCom does, and reports whether the bot
// acknowledged it.
func postCallback(t *testing.T, emu *emulator.Server, addr, user, text string, msgID uint64) bool {
	o := emu.Options()
	crypter, err := wecom.NewCrypter(o.Token, o.EncodingAESKey, o.CorpID)
	if err != nil {
		t.Error(err)
		return false
	}
	ts := fmt.Sprint(time.Now().Unix())
	body, sig, err := crypter.EncryptCallback(emu.TextMessage(user, text, msgID, time.Now()), ts, "n", fmt.Sprint(o.AgentID))
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

// sendTrap stands between the bot and the emulator. When armed, it lets a message/send reach the emulator
// (which delivers and counts it) and then holds the answer back until the test has killed the bot: the send
// WeCom took but the bot never learned about.
type sendTrap struct {
	next http.Handler

	mu     sync.Mutex
	skip   int           // sends to let through before the one caught
	armed  chan struct{} // closed by the trap when it caught a send; nil when not armed
	killed chan struct{} // closed by the test once the bot is dead
}

func (s *sendTrap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/cgi-bin/message/send" {
		s.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	s.mu.Lock()
	var caught, killed chan struct{}
	if s.armed != nil {
		if s.skip == 0 {
			caught, killed, s.armed = s.armed, s.killed, nil
		}
		s.skip--
	}
	s.mu.Unlock()
	if caught != nil {
		close(caught)
		<-killed // the answer goes nowhere: the bot is gone
		return
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// arm catches the send after the next skip; caught is closed when it has reached the emulator, and the trap
// holds its answer until release is called.
func (s *sendTrap) arm(skip int) (caught <-chan struct{}, release func()) {
	c, k := make(chan struct{}), make(chan struct{})
	s.mu.Lock()
	s.skip, s.armed, s.killed = skip, c, k
	s.mu.Unlock()
	return c, func() { close(k) }
}

// TestCrash_killNineAtMemberLimitDropsNothing kills `wecombot serve` with SIGKILL again and again while one member's
// replies flow at WeCom's per-member limit (30 a minute, the minute shortened to 2 s on both sides), most
// kills just after WeCom took a send the bot had not yet recorded. At the end every reply has arrived, WeCom
// dropped none, and duplicates are at most one message per kill: a member's messages go out one at a time, so
// a kill cuts off at most one of them, and that one is sent again (message/send has no read-back). A message
// may carry several replies the limit held back (merged), so a resent one may repeat several.
func TestCrash_killNineAtMemberLimitDropsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	const (
		minute  = 2 * time.Second
		user    = "lisi"
		total   = 120 // four windows' worth
		kills   = 6
		msgBase = 700_000
	)
	seed := time.Now().UnixNano()
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("random seed %d", seed)

	addr := freeAddr(t)
	emu := emulator.New(emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey, MemberMinute: minute})
	trap := &sendTrap{next: emu.Handler()}
	hs := httptest.NewServer(trap)
	t.Cleanup(hs.Close)
	cfg, cfgPath := writeServeConfig(t, addr, hs.URL)
	env := "WECOMBOT_MEMBER_MINUTE=" + minute.String()

	// The callbacks come faster than 30 replies per window can go out, and keep coming while the bot is down
	// (WeCom retries): each is posted until the bot acknowledges it.
	bot := startBotProcess(t, cfgPath, addr, env)
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		deadline := time.Now().Add(60 * time.Second)
		for i := 0; i < total; i++ {
			for !postCallback(t, emu, addr, user, fmt.Sprintf("/help c%03d", i), uint64(msgBase+i)) {
				if time.Now().After(deadline) {
					t.Errorf("callback %d never acknowledged", i)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(15 * time.Millisecond)
		}
	}()
	inSend := 0
	for k := 0; k < kills; k++ {
		if k%3 == 2 {
			time.Sleep(time.Duration(100+rnd.IntN(1400)) * time.Millisecond) // anywhere: held back, idle, mid-claim
			bot.Process.Signal(syscall.SIGKILL)
			bot.Wait()
		} else {
			// Anywhere in a window's burst of 30: the first after a wait, the last before one, or between.
			// Held-back replies merge, so a window may take fewer than 30 sends: aim within the first few.
			caught, release := trap.arm(rnd.IntN(8))
			hit := true
			select {
			case <-caught:
			case <-time.After(10 * time.Second):
				hit = false // the flow ran dry (everything merged and sent): kill anywhere instead
			}
			bot.Process.Signal(syscall.SIGKILL)
			bot.Wait()
			release()
			if hit {
				inSend++
			}
		}
		bot = startBotProcess(t, cfgPath, addr, env)
	}
	<-posted
	replies := func() map[string]int { return countTokens(emu.Delivered(user)) }
	// Every reply has been sent once it reached WeCom, delivered or dropped; a dropped one is never resent.
	waitFor(t, 60*time.Second, "every reply to be sent", func() bool { return len(countTokens(emu.Messages(user))) == total })
	bot.Process.Signal(syscall.SIGTERM)
	bot.Wait()
	if missing := total - len(replies()); missing > 0 {
		t.Errorf("%d of %d replies never arrived", missing, total)
	}

	delivered := emu.Delivered(user)
	dups, seen := 0, map[string]bool{} // messages repeating a reply delivered before
	for _, m := range delivered {
		again := false
		for tok := range messageTokens(m) {
			if seen[tok] {
				again = true
				t.Logf("%s delivered again", tok)
			}
			seen[tok] = true
		}
		if again {
			dups++
		}
	}
	peak := 0 // most deliveries in any window: the flow ran at the limit
	for i := range delivered {
		n := 0
		for j := i; j < len(delivered) && delivered[j].Time.Sub(delivered[i].Time) < minute; j++ {
			n++
		}
		peak = max(peak, n)
	}
	t.Logf("%d replies, %d deliveries, %d kills (%d just after WeCom took a send), %d messages repeating a reply, %d dropped, at most %d in a %v window",
		total, len(delivered), kills, inSend, dups, emu.DroppedCount(user), peak, minute)
	if n := emu.DroppedCount(user); n != 0 {
		t.Errorf("WeCom dropped %d messages to %s: the per-member limit was exceeded across the restarts", n, user)
	}
	if dups > kills {
		t.Errorf("%d messages repeated replies after %d kills; at most one per kill is possible", dups, kills)
	}
	d, err := db.Open(cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	counts, err := d.OutboxCounts(context.Background())
	if err != nil || counts["sent"] != total || len(counts) != 1 {
		t.Errorf("outbox = %v, %v; want all %d sent", counts, err, total)
	}
}
