package wecom_test

import (
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestJSSign_officialExample is the example DOC/96909 publishes (the same as WeChat's JS-SDK doc).
func TestJSSign_officialExample(t *testing.T) {
	const (
		ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
		want   = "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
	)
	if got := wecom.JSSign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value"); got != want {
		t.Fatalf("signature = %s; want %s", got, want)
	}
	// The URL is signed without its fragment ("不包含#及其后面部分").
	if got := wecom.JSSign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#/approvals"); got != want {
		t.Fatalf("signature with a fragment = %s; want %s", got, want)
	}
}

type lockedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *lockedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func jssdkClient(t *testing.T, emu *wecomtest.Server, clk *lockedClock, store wecom.TokenStore) *wecom.Client {
	t.Helper()
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, BaseURL: emu.URL,
		RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, Now: clk.Now, TokenStore: store})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The tickets are fetched once however many callers ask at once, kept across a restart through the
// TokenStore, and fetched again only near expiry; the signatures the client makes are the ones the emulator
// (computing them itself, as WeCom's client does for wx.config) accepts.
func TestJSSDK_ticketsCachedAndSignaturesAccepted(t *testing.T) {
	t.Parallel()
	clk := &lockedClock{t: time.Now()}
	emu := wecomtest.NewServer(t, emulator.Options{Now: clk.Now, TokenTTL: 3 * time.Hour})
	store := &wecom.MemoryTokenStore{}
	c := jssdkClient(t, emu, clk, store)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if _, _, err := c.JSSDK.Sign(t.Context(), "https://bot.example.com/console/approvals"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if a, b := emu.JSTicketFetches("jsapi"), emu.JSTicketFetches("agent_config"); a != 1 || b != 1 {
		t.Fatalf("40 concurrent signings fetched the tickets %d and %d times; want once each", a, b)
	}
	page := "https://bot.example.com/console/approvals?state=pending#top"
	cfg, agent, err := c.JSSDK.Sign(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	if why := emu.CheckJSSignature("jsapi", cfg.NonceStr, cfg.Timestamp, page, cfg.Signature); why != "" {
		t.Fatalf("wx.config signature refused: %s", why)
	}
	if why := emu.CheckJSSignature("agent_config", agent.NonceStr, agent.Timestamp, page, agent.Signature); why != "" {
		t.Fatalf("wx.agentConfig signature refused: %s", why)
	}
	if cfg.CorpID != emu.Options().CorpID || agent.AgentID != emu.Options().AgentID || cfg.NonceStr == agent.NonceStr {
		t.Fatalf("config %+v, agentConfig %+v; want the corp id, the agent id, a nonce each", cfg, agent)
	}
	// A signature of one page does not sign another, and the corp's ticket does not sign agentConfig.
	if emu.CheckJSSignature("jsapi", cfg.NonceStr, cfg.Timestamp, "https://bot.example.com/console/audit", cfg.Signature) == "" ||
		emu.CheckJSSignature("agent_config", cfg.NonceStr, cfg.Timestamp, page, cfg.Signature) == "" {
		t.Fatal("a signature was accepted for another page or the other ticket")
	}

	// A restarted bot (new client, same store) reuses the tickets.
	c2 := jssdkClient(t, emu, clk, store)
	if _, _, err := c2.JSSDK.Sign(t.Context(), page); err != nil {
		t.Fatal(err)
	}
	if a := emu.JSTicketFetches("jsapi"); a != 1 {
		t.Fatalf("a restart fetched the ticket again (%d fetches)", a)
	}
	// Near expiry (7200 s, refreshed 5 minutes before), one new fetch.
	clk.Advance(7200*time.Second - 4*time.Minute)
	if _, _, err := c2.JSSDK.Sign(t.Context(), page); err != nil {
		t.Fatal(err)
	}
	if a, b := emu.JSTicketFetches("jsapi"), emu.JSTicketFetches("agent_config"); a != 2 || b != 2 {
		t.Fatalf("after 7196 s: %d and %d fetches; want 2 each", a, b)
	}
}
