package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

var benchUsers = 64

// BenchmarkPingE2E measures what a member feels: from the emulator delivering "/ping" (encrypt, sign, POST
// to the bot) to the reply reaching the emulator's message/send (callback handler, durable inbox, worker,
// engine, outbox, sender, WeCom client) — with 64 members pinging at once, each waiting for its answer
// before the next ping. WeCom's real per-member limit (30/min) stays on: keep -benchtime ≤ 64×24 (each member also pings once to
// warm up).
//
// A member's wait ends when the sender has the emulator's answer to the reply's message/send (its Observe
// hook, after recording the send): slightly later than the reply's arrival, never earlier. (Polling the
// emulator's message list instead cost half the machine's CPU: it copies every message so far.)
//
//	go test ./cmd/bot -run '^$' -bench PingE2E -benchtime 1280x
func BenchmarkPingE2E(b *testing.B) {
	users := benchUsers
	var sentMu sync.Mutex
	sent := map[string]chan struct{}{} // per member: a reply was sent
	s := startStack(b, emulator.Options{}, func(a *app) {
		prev := a.sender.Observe
		a.sender.Observe = func(event string, m *db.OutboxMessage, errcode int) {
			if prev != nil {
				prev(event, m, errcode)
			}
			if event == "sent" {
				sentMu.Lock()
				ch := sent[m.Recipient]
				sentMu.Unlock()
				if ch != nil {
					ch <- struct{}{}
				}
			}
		}
	})
	names := make([]string, users)
	s.emu.WithOrg(func(o *emulator.Org) {
		for i := range names {
			names[i] = fmt.Sprintf("bench%02d", i)
			sent[names[i]] = make(chan struct{}, 1)
			o.Members = append(o.Members, &emulator.Member{UserID: names[i], Name: names[i], Department: []int{2}, Status: 1, Visible: true})
		}
	})
	// ping sends one /ping from name and waits for its reply.
	ping := func(name string, id uint64) (time.Duration, bool) {
		t0 := time.Now()
		res, err := s.emu.Deliver(b.Context(), s.emu.TextMessage(name, "/ping", id, time.Now()))
		if err != nil || res.Status != 200 {
			b.Errorf("deliver: %+v %v", res, err)
			return 0, false
		}
		select {
		case <-sent[name]:
		case <-time.After(30 * time.Second):
			b.Errorf("%s: no reply in 30 s", name)
			return 0, false
		}
		return time.Since(t0), true
	}
	// Warm-up, untimed: every member pings once, all at once, so that what is measured is a running bot (its
	// access token fetched, its connections to WeCom open), not a process start. The cold burst's slowest
	// reply is reported as cold-max-ms.
	var cold time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			if d, ok := ping(names[u], uint64(79_000_000+u)); ok {
				mu.Lock()
				cold = max(cold, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	lat := make([]time.Duration, 0, b.N)
	per := (b.N + users - 1) / users
	b.ResetTimer()
	start := time.Now()
	for u := 0; u < users; u++ {
		wg.Go(func() {
			for i := 0; i < per && u*per+i < b.N; i++ {
				d, ok := ping(names[u], uint64(80_000_000+u*per+i))
				if !ok {
					return
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	delivered := 0
	for _, n := range names {
		delivered += len(s.emu.Delivered(n))
		for _, m := range s.emu.Delivered(n) {
			if !strings.HasPrefix(m.Content, "pong") {
				b.Fatalf("%s got %q", n, m.Content)
			}
		}
		if d := s.emu.DroppedCount(n); d != 0 {
			b.Fatalf("WeCom dropped %d messages to %s", d, n)
		}
	}
	if delivered != len(lat)+users {
		b.Fatalf("the emulator has %d replies for %d pings", delivered, len(lat))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "pings/s")
	b.ReportMetric(float64(cold)/1e6, "cold-max-ms")
}

// BenchmarkPingE2E1 is the same pipeline with one member: the latency floor, with no queueing. WeCom allows
// one member 30 messages a minute: keep -benchtime ≤ 24x (one ping warms up).
func BenchmarkPingE2E1(b *testing.B) {
	benchUsers = 1
	defer func() { benchUsers = 64 }()
	BenchmarkPingE2E(b)
}
