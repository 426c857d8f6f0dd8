package main

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestCrash_killNineDuringBurst kills `wecombot serve` with SIGKILL while 64 members send at once (the group-committed
// pipeline at full tilt: claims, completions, attempt records and send outcomes batched), restarts it, lets
// WeCom redeliver what got no 200, and checks that every callback was handled exactly once (one inbox row
// done, one outbox row) and every reply delivered. Duplicated replies are only the documented at-least-once
// ones — sends WeCom took whose outcome the kill cut off; at most one claimed batch (Workers×4 = 16) can be in
// that state — and are counted.
func TestCrash_killNineDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	addr := freeAddr(t)
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey})
	const members, each = 64, 20 // 20 each: under WeCom's 30 a minute, so every reply can go out at once
	users := make([]string, members)
	emu.WithOrg(func(o *emulator.Org) {
		for i := range users {
			users[i] = fmt.Sprintf("burst%02d", i)
			o.Members = append(o.Members, &emulator.Member{UserID: users[i], Name: users[i], Department: []int{2}, Status: 1, Visible: true})
		}
	})
	cfg, cfgPath := writeServeConfig(t, addr, emu.URL)
	const total = members * each
	msg := func(i int) (user, text string, id uint64) {
		return users[i%members], fmt.Sprintf("/help b%04d", i), uint64(900_000 + i)
	}
	post := func(i int) bool {
		u, text, id := msg(i)
		return postCallback(t, emu.Server, addr, u, text, id)
	}

	bot := startBotProcess(t, cfgPath, addr)
	var mu sync.Mutex
	acked := map[int]bool{}
	// The kill comes mid-burst with replies flowing: once a third of the callbacks are acknowledged and 32
	// replies delivered (claims, completions, attempts and outcomes are all in flight then).
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= total/3 && countAll(replyCounts(emu, users)) >= 32 || n == total {
				bot.Process.Signal(syscall.SIGKILL)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	for u := range members { // every member at once, each message after the last one's 200
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				i := k*members + u
				ok := post(i)
				mu.Lock()
				if ok {
					acked[i] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	<-killed
	bot.Wait()
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	inFlight := replyCounts(emu, users)

	bot = startBotProcess(t, cfgPath, addr)
	for i := range total {
		if !acked[i] && post(i) {
			acked[i] = true
		}
	}
	if len(acked) != total {
		t.Fatalf("only %d of %d callbacks acknowledged after restart", len(acked), total)
	}
	waitFor(t, 60*time.Second, "every callback to be answered", func() bool {
		r := replyCounts(emu, users)
		for i := range total {
			if r[fmt.Sprintf("b%04d", i)] == 0 {
				return false
			}
		}
		return true
	})
	bot.Process.Signal(syscall.SIGTERM)
	bot.Wait()
	d, err := db.Open(cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	for i := range total {
		_, _, id := msg(i)
		it, state, err := d.GetInbox(ctx, fmt.Sprintf("msg:%d", id))
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
	r := replyCounts(emu, users)
	dups := 0
	for i := range total {
		if n := r[fmt.Sprintf("b%04d", i)]; n > 1 {
			dups += n - 1
		}
	}
	t.Logf("%d members × %d: %d of %d acknowledged before the kill, %d replies delivered by then; %d after redelivery; replies duplicated by the kill: %d",
		members, each, before, total, countAll(inFlight), len(acked), dups)
	if dups > 16 {
		t.Errorf("%d duplicated replies; at most 16 (one claimed batch whose outcomes the kill cut off) are possible", dups)
	}
	for _, u := range users {
		if n := emu.DroppedCount(u); n != 0 {
			t.Errorf("WeCom dropped %d messages to %s", n, u)
		}
	}
}

func replyCounts(emu *wecomtest.Server, users []string) map[string]int {
	var all []emulator.SentMessage
	for _, u := range users {
		all = append(all, emu.Delivered(u)...)
	}
	return countTokens(all)
}

func countAll(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
