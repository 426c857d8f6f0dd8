package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/outbox"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// clock is a settable time shared by the emulator, the database and the sender, so that minute-long rate
// windows pass instantly.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type rig struct {
	clk    *clock
	emu    *wecomtest.TestServer
	db     *db.DB
	client *wecom.Client
}

func newRig(t *testing.T, perMinute int) *rig {
	t.Helper()
	clk := &clock{t: time.Now()}
	emu := wecomtest.NewServer(t, wecomtest.Options{MemberPerMinute: perMinute, Now: clk.Now})
	o := emu.Options()
	client, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, BaseURL: emu.URL,
		RetryBase: time.Millisecond, RetryMax: 2 * time.Millisecond, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	d.Now = clk.Now
	t.Cleanup(func() { d.Close() })
	return &rig{clk: clk, emu: emu, db: d, client: client}
}

func (r *rig) sender(limits []wecom.Window) *outbox.Sender {
	return &outbox.Sender{Store: r.db, API: r.client, MemberLimits: limits, Poll: 5 * time.Millisecond,
		RetryBase: time.Second, RetryMax: time.Second, Now: r.clk.Now}
}

func (r *rig) queue(t *testing.T, to, content string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"touser": to, "msgtype": "text", "agentid": r.emu.Options().AgentID,
		"text": map[string]string{"content": content}})
	if err := r.db.AddOutbox(t.Context(), &db.OutboxMessage{Recipient: to, API: "message/send", Body: body}); err != nil {
		t.Fatal(err)
	}
}

func start(t *testing.T, s *outbox.Sender) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func contents(msgs []wecomtest.SentMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
	}
	return out
}

// TestSender_staysUnderMemberLimit sends three times what one minute allows to one member: all arrive, in
// order, none dropped by WeCom.
func TestSender_staysUnderMemberLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3) // WeCom's 30/min scaled down to 3/min
	for i := 0; i < 9; i++ {
		r.queue(t, "lisi", fmt.Sprint("m", i))
	}
	start(t, r.sender([]wecom.Window{{N: 3, Per: time.Minute}}))
	for round := 1; round <= 3; round++ {
		waitFor(t, fmt.Sprintf("round %d", round), func() bool { return len(r.emu.Delivered("lisi")) == 3*round })
		time.Sleep(30 * time.Millisecond) // nothing more may go out in this window
		if n := len(r.emu.Delivered("lisi")); n != 3*round {
			t.Fatalf("round %d: %d delivered; want %d (held back until the window frees)", round, n, 3*round)
		}
		r.clk.Advance(62 * time.Second) // the window (60 s + 1 s margin), due times rounded up to the second
	}
	if got := fmt.Sprint(contents(r.emu.Delivered("lisi"))); got != "[m0 m1 m2 m3 m4 m5 m6 m7 m8]" {
		t.Fatalf("delivered %s; want all 9 in order", got)
	}
	if n := r.emu.DroppedCount("lisi"); n != 0 {
		t.Fatalf("WeCom dropped %d", n)
	}
	counts, _ := r.db.OutboxCounts(t.Context())
	if counts["sent"] != 9 {
		t.Fatalf("outbox = %v; want 9 sent", counts)
	}
}

// TestSender_withoutLimitsWeComDrops is the control for the test above: a sender that ignores the limit loses
// messages silently, which is what the limiter prevents.
func TestSender_withoutLimitsWeComDrops(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3)
	for i := 0; i < 9; i++ {
		r.queue(t, "lisi", fmt.Sprint("m", i))
	}
	start(t, r.sender([]wecom.Window{{N: 1000, Per: time.Minute}}))
	waitFor(t, "all sends", func() bool { c, _ := r.db.OutboxCounts(t.Context()); return c["sent"] == 9 })
	if n := r.emu.DroppedCount("lisi"); n != 6 {
		t.Fatalf("dropped %d; want 6 (WeCom keeps 3 a minute)", n)
	}
}

func TestSender_restartRemembersWindow(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3)
	limits := []wecom.Window{{N: 3, Per: time.Minute}}
	for i := 0; i < 3; i++ {
		r.queue(t, "lisi", fmt.Sprint("before", i))
	}
	stop := start(t, r.sender(limits))
	waitFor(t, "first three", func() bool { return len(r.emu.Delivered("lisi")) == 3 })
	stop()
	r.clk.Advance(10 * time.Second)
	r.queue(t, "lisi", "after restart")
	start(t, r.sender(limits)) // a new process: an empty limiter unless it reads the outbox
	time.Sleep(50 * time.Millisecond)
	if n := len(r.emu.Delivered("lisi")); n != 3 {
		t.Fatalf("%d delivered 10 s after 3 in a 3/min window; the restarted sender forgot the window", n)
	}
	r.clk.Advance(52 * time.Second)
	waitFor(t, "the held message", func() bool { return len(r.emu.Delivered("lisi")) == 4 })
	if n := r.emu.DroppedCount("lisi"); n != 0 {
		t.Fatalf("dropped %d", n)
	}
}

func TestSender_temporaryRetriedPermanentRecorded(t *testing.T) {
	t.Parallel()
	r := newRig(t, 30)
	// 45009: WeCom blocked message/send for 60 s (DOC/90454). The outbox defers the message until then, as no
	// failed attempt, keeps the member's order, and does not burn calls meanwhile.
	r.emu.Fail("message/send", wecom.CodeFreqLimit, 1)
	r.queue(t, "lisi", "eventually")
	r.queue(t, "lisi", "and then")
	start(t, r.sender(nil))
	waitFor(t, "a deferred send", func() bool {
		m, _ := r.db.ListOutbox(t.Context(), "pending", 2) // newest first
		return len(m) == 2 && m[1].ErrCode == wecom.CodeFreqLimit
	})
	if m, _ := r.db.ListOutbox(t.Context(), "pending", 2); m[1].Attempts != 0 || m[0].ErrCode != 0 {
		t.Fatalf("pending = %+v; want the first deferred with no attempt counted, the second not tried", m)
	}
	time.Sleep(50 * time.Millisecond) // ten polls
	r.clk.Advance(30 * time.Second)
	time.Sleep(50 * time.Millisecond)
	if n := len(r.emu.CallsTo("message/send")); n != 1 {
		t.Fatalf("%d message/send calls inside the block; want 1", n)
	}
	r.clk.Advance(31 * time.Second)
	waitFor(t, "delivery after the block", func() bool { return len(r.emu.Delivered("lisi")) == 2 })
	if d := r.emu.Delivered("lisi"); d[0].Content != "eventually" || d[1].Content != "and then" {
		t.Fatalf("delivered %q, %q; want the member's order kept", d[0].Content, d[1].Content)
	}

	r.queue(t, "nobody-here", "never")
	waitFor(t, "the permanent failure", func() bool {
		m, _ := r.db.ListOutbox(t.Context(), "failed", 1)
		return len(m) == 1
	})
	failed, _ := r.db.ListOutbox(t.Context(), "failed", 1)
	if failed[0].ErrCode != wecom.CodeAllInvalid || failed[0].LastError == "" || failed[0].Attempts != 1 {
		t.Fatalf("failed message = %+v; want errcode 81013 with its reason after one attempt", failed[0])
	}
}
