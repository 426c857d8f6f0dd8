package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wecombot/wecombot/bot/outbox"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
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
	emu    *wecomtest.Server
	db     *db.DB
	client *wecom.Client
}

func newRig(t *testing.T, perMinute int) *rig {
	t.Helper()
	clk := &clock{t: time.Now()}
	emu := wecomtest.NewServer(t, emulator.Options{MemberPerMinute: perMinute, Now: clk.Now})
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

// queueCard queues a button card, which is never merged with replies.
func (r *rig) queueCard(t *testing.T, to, key string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"touser": to, "msgtype": "template_card", "agentid": r.emu.Options().AgentID,
		"template_card": map[string]any{"card_type": "button_interaction", "task_id": "t-" + key + fmt.Sprint(time.Now().UnixNano()),
			"main_title":  map[string]string{"title": key},
			"button_list": []map[string]any{{"text": "OK", "key": key, "style": 1}}}})
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

// settled waits until n messages reached lisi and the sender has recorded every send it started. Only then may
// a test move the clock: a send still in flight when the clock jumps ends "late" and is counted again at its end,
// holding the member for one more window (which is what a slow send to real WeCom needs).
func (r *rig) settled(t *testing.T, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("message %d", n), func() bool {
		if len(r.emu.Delivered("lisi")) != n {
			return false
		}
		c, err := r.db.OutboxCounts(t.Context())
		return err == nil && c["sending"] == 0
	})
}

func contents(msgs []emulator.SentMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
	}
	return out
}

// TestSender_staysUnderMemberLimit sends three times what one minute allows to one member: all arrive, in
// order, none dropped by WeCom; what the limit held back arrives as one message saying so (issue 10: a burst
// arrives late but whole), not as one message per reply spending the next windows.
func TestSender_staysUnderMemberLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3) // WeCom's 30/min scaled down to 3/min
	for i := 0; i < 9; i++ {
		r.queue(t, "lisi", fmt.Sprint("m", i))
	}
	start(t, r.sender([]wecom.Window{{N: 3, Per: time.Minute}}))
	r.settled(t, 3)
	time.Sleep(30 * time.Millisecond) // nothing more may go out in this window
	if n := len(r.emu.Delivered("lisi")); n != 3 {
		t.Fatalf("%d delivered; want 3 (the rest held back until the window frees)", n)
	}
	r.clk.Advance(62 * time.Second) // the window (60 s + 1 s margin), due times rounded up to the second
	waitFor(t, "the held-back replies", func() bool { return len(r.emu.Delivered("lisi")) == 4 })
	want := []string{"m0", "m1", "m2", outbox.HeldBackHeader(6) + "\n\nm3\n\nm4\n\nm5\n\nm6\n\nm7\n\nm8"}
	if diff := cmp.Diff(want, contents(r.emu.Delivered("lisi"))); diff != "" {
		t.Fatalf("delivered (-want +got):\n%s", diff)
	}
	if n := r.emu.DroppedCount("lisi"); n != 0 {
		t.Fatalf("WeCom dropped %d", n)
	}
	waitFor(t, "9 sent in the outbox (6 of them in one message)", func() bool {
		counts, _ := r.db.OutboxCounts(t.Context())
		return counts["sent"] == 9 && len(counts) == 1
	})
}

// TestSender_heldBackMergesNeverACard: held-back replies merge up to a card and resume after it; the card goes
// out as it is, in its place.
func TestSender_heldBackMergesNeverACard(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1)
	for _, c := range []string{"a0", "a1", "a2"} {
		r.queue(t, "lisi", c)
	}
	r.queueCard(t, "lisi", "card")
	for _, c := range []string{"b0", "b1", "b2"} {
		r.queue(t, "lisi", c)
	}
	start(t, r.sender([]wecom.Window{{N: 1, Per: time.Minute}}))
	for n := 1; n <= 4; n++ {
		r.settled(t, n)
		time.Sleep(30 * time.Millisecond)
		if got := len(r.emu.Delivered("lisi")); got != n {
			t.Fatalf("%d delivered in window %d of a 1/min limit", got, n)
		}
		r.clk.Advance(62 * time.Second)
	}
	want := []string{"a0", outbox.HeldBackHeader(2) + "\n\na1\n\na2", "", outbox.HeldBackHeader(3) + "\n\nb0\n\nb1\n\nb2"}
	if diff := cmp.Diff(want, contents(r.emu.Delivered("lisi"))); diff != "" {
		t.Fatalf("delivered (-want +got; a card's content is its sub_title_text, none here):\n%s", diff)
	}
	if n := r.emu.DroppedCount("lisi"); n != 0 {
		t.Fatalf("WeCom dropped %d", n)
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

// killedAPI passes calls to WeCom and then, for call number dieAt, never returns: the process died after
// WeCom took the request and before the sender learned the outcome. Released at cleanup.
type killedAPI struct {
	api   outbox.API
	dieAt int

	mu      sync.Mutex
	calls   int
	dead    chan struct{} // closed once the cut-off request has reached WeCom
	release chan struct{}
}

func (k *killedAPI) PostJSON(ctx context.Context, path string, body json.RawMessage, out any) error {
	err := k.api.PostJSON(ctx, path, body, out)
	k.mu.Lock()
	k.calls++
	n := k.calls
	k.mu.Unlock()
	if n == k.dieAt {
		close(k.dead)
		<-k.release
		return fmt.Errorf("killed")
	}
	return err
}

// TestSender_cutOffSendCountedAfterRestart: the third of three sends in a 3/min window reaches WeCom, then the
// process dies. The restarted sender sends it again (it cannot know WeCom got it), but must count the cut-off
// copy, as WeCom did: the resend waits for the window instead of being dropped as a fourth.
func TestSender_cutOffSendCountedAfterRestart(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3)
	limits := []wecom.Window{{N: 3, Per: time.Minute}}
	for i := 0; i < 4; i++ {
		r.queue(t, "lisi", fmt.Sprint("m", i))
	}
	k := &killedAPI{api: r.client, dieAt: 3, dead: make(chan struct{}), release: make(chan struct{})}
	first := r.sender(limits)
	first.API = k
	stopFirst := start(t, first)
	t.Cleanup(func() { close(k.release); stopFirst() }) // only once the test is over
	select {
	case <-k.dead:
	case <-time.After(10 * time.Second):
		t.Fatal("the third send never happened")
	}
	r.clk.Advance(5 * time.Second)
	start(t, r.sender(limits)) // the next process, while the first is "dead" in its third send
	time.Sleep(100 * time.Millisecond)
	if n := len(r.emu.Messages("lisi")); n != 3 {
		t.Fatalf("%d messages reached WeCom 5 s after 3 in a 3/min window (%d dropped); the restarted sender did not count the cut-off send",
			n, r.emu.DroppedCount("lisi"))
	}
	r.clk.Advance(62 * time.Second)
	waitFor(t, "the resend and m3", func() bool { return len(r.emu.Delivered("lisi")) == 4 })
	want := []string{"m0", "m1", "m2", outbox.HeldBackHeader(2) + "\n\nm2\n\nm3"}
	if diff := cmp.Diff(want, contents(r.emu.Delivered("lisi"))); diff != "" {
		t.Fatalf("delivered (-want +got); want m2 twice (cut off, resent with m3, which waited behind it):\n%s", diff)
	}
	if n := r.emu.DroppedCount("lisi"); n != 0 {
		t.Fatalf("WeCom dropped %d", n)
	}
}

// slowAPI makes the first call reach WeCom only after `delay` on the shared clock, as when the client waits
// for a token or retries a busy WeCom before the request that counts.
type slowAPI struct {
	api   outbox.API
	clk   *clock
	delay time.Duration
	once  sync.Once
}

func (s *slowAPI) PostJSON(ctx context.Context, path string, body json.RawMessage, out any) error {
	s.once.Do(func() { s.clk.Advance(s.delay) })
	return s.api.PostJSON(ctx, path, body, out)
}

// TestSender_slowSendCountedWhenWeComGotIt: a send that took 30 s counts until a window after it finished,
// since WeCom may have counted it at any moment of those 30 s.
func TestSender_slowSendCountedWhenWeComGotIt(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3)
	for i := 0; i < 5; i++ {
		r.queue(t, "lisi", fmt.Sprint("m", i))
	}
	s := r.sender([]wecom.Window{{N: 3, Per: time.Minute}})
	s.API = &slowAPI{api: r.client, clk: r.clk, delay: 30 * time.Second}
	start(t, s)
	waitFor(t, "the slow send", func() bool { return len(r.emu.Messages("lisi")) >= 1 })
	// 62 s after the slow send started, 32 s after WeCom counted it: WeCom's window still holds it.
	all := func() bool { return strings.Contains(strings.Join(contents(r.emu.Delivered("lisi")), "\n"), "m4") }
	for step := 0; step < 6 && !all(); step++ {
		time.Sleep(100 * time.Millisecond)
		r.clk.Advance(32 * time.Second)
		time.Sleep(100 * time.Millisecond)
		if n := r.emu.DroppedCount("lisi"); n != 0 {
			t.Fatalf("WeCom dropped %d after %d s; the slow send was counted from its start", n, 30+32*(step+1))
		}
	}
	waitFor(t, "every message", all)
	want := []string{"m0", "m1", outbox.HeldBackHeader(3) + "\n\nm2\n\nm3\n\nm4"}
	if diff := cmp.Diff(want, contents(r.emu.Delivered("lisi"))); diff != "" {
		t.Fatalf("delivered (-want +got):\n%s", diff)
	}
}

// TestSender_heldMemberDoesNotSlowOthers holds one member at its limit with a backlog while others' messages
// arrive: theirs go out at once, each within a few polls, while the held member's wait for their window.
func TestSender_heldMemberDoesNotSlowOthers(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3)
	for i := 0; i < 9; i++ {
		r.queue(t, "lisi", fmt.Sprint("held", i))
	}
	s := r.sender([]wecom.Window{{N: 3, Per: time.Minute}})
	start(t, s)
	waitFor(t, "lisi's first window", func() bool { return len(r.emu.Delivered("lisi")) == 3 })
	others := []string{"zhangsan", "wangwu", "zhaoliu", "sunqi"}
	for round := range 3 {
		t0 := time.Now()
		for _, u := range others {
			r.queue(t, u, fmt.Sprint("free", round))
		}
		s.Notify()
		waitFor(t, "the others' messages", func() bool {
			for _, u := range others {
				if len(r.emu.Delivered(u)) != round+1 {
					return false
				}
			}
			return true
		})
		if d := time.Since(t0); d > 500*time.Millisecond {
			t.Errorf("round %d: the others' messages took %v behind lisi's backlog", round, d)
		}
	}
	if n := len(r.emu.Delivered("lisi")); n != 3 {
		t.Fatalf("lisi got %d; want 3 (the rest held back)", n)
	}
	for _, u := range append(others, "lisi") {
		if n := r.emu.DroppedCount(u); n != 0 {
			t.Fatalf("WeCom dropped %d to %s", n, u)
		}
	}
}

// TestSender_mergedStaysWithinWeComLimit: long held-back replies merge only as far as 2,048 bytes, which
// the emulator enforces as WeCom does (markdown over it is refused with 45002, text cut): every one arrives
// whole, none refused, in order.
func TestSender_mergedStaysWithinWeComLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1)
	var want []string
	for i := 0; i < 7; i++ {
		c := fmt.Sprintf("r%d:", i) + strings.Repeat("字", 200) // 603 bytes
		want = append(want, c)
		r.queue(t, "lisi", c)
	}
	start(t, r.sender([]wecom.Window{{N: 1, Per: time.Minute}}))
	var got []string
	for n := 1; len(got) < 7 && n <= 7; n++ {
		r.settled(t, n)
		// The window is spent: what is left must be held back, merged behind its head, before the clock
		// frees the window (a head claimed after the jump would go out alone, unmerged).
		waitFor(t, "the rest merged behind a held head", func() bool {
			p, err := r.db.ListOutbox(t.Context(), "pending", 100)
			return err == nil && (len(p) == 0 || strings.Contains(string(p[len(p)-1].Body), "Held back"))
		})
		r.clk.Advance(62 * time.Second)
		got = nil
		for _, m := range r.emu.Delivered("lisi") {
			if len(m.Content) > 2048 {
				t.Fatalf("a merged message of %d bytes", len(m.Content))
			}
			for _, part := range strings.Split(m.Content, "\n\n") {
				if strings.HasPrefix(part, "r") {
					got = append(got, part)
				}
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("replies (-want +got):\n%s", diff)
	}
	if n := len(r.emu.Delivered("lisi")); n != 3 { // r0 alone, then r1–r3 and r4–r6: three of 603 bytes fit with the header
		t.Errorf("%d messages; want 3", n)
	}
	if c, _ := r.db.OutboxCounts(t.Context()); c["failed"] != 0 {
		t.Fatalf("outbox = %v; WeCom refused a merged message", c)
	}
}
