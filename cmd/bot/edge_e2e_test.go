package main

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// A decrypted callback's FromUserName is text, not an identity the bot may address: "@all" as a touser reaches
// every visible member and "zhangsan|lisi" both. Such a callback is kept (nothing is lost) but refused: its row
// is failed with the reason, no command runs (so no WeCom lookup of that "user"), and nothing is sent to anyone.
func TestE2E_senderThatIsNotAUseridIsRefused(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	image := func(from string, id int) []byte {
		return []byte(`<xml><ToUserName><![CDATA[` + s.cfg.WeCom.CorpID + `]]></ToUserName><FromUserName><![CDATA[` + from +
			`]]></FromUserName><CreateTime>` + time.Now().Format("20060102") + `</CreateTime><MsgType><![CDATA[image]]></MsgType>` +
			`<PicUrl><![CDATA[https://x.example/p.png]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>` + strings.Repeat("9", id) +
			`</MsgId><AgentID>` + strconv.Itoa(emulator.DefaultAgentID) + `</AgentID></xml>`)
	}
	bad := []struct {
		name string
		from string
		xml  []byte
	}{
		{"text from @all", "@all", s.emu.TextMessage("@all", "/devices list", 91001, time.Now())},
		{"public command from @all", "@all", s.emu.TextMessage("@all", "/help x101", 91002, time.Now())},
		{"text from a|b", "zhangsan|lisi", s.emu.TextMessage("zhangsan|lisi", "/whoami", 91003, time.Now())},
		{"image from a|b", "lisi|wangwu", image("lisi|wangwu", 12)},
		{"card click from @ALL", "@ALL", s.emu.TemplateCardEvent("@ALL", emulator.CardEvent{EventKey: "confirm:yes:x",
			TaskID: "t1", CardType: "button_interaction", ResponseCode: "rc1"})},
	}
	var keys []string
	for _, b := range bad {
		m, err := wecom.ParseInbound(b.xml)
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		keys = append(keys, m.DedupeKey())
		res, err := s.emu.Deliver(t.Context(), b.xml)
		if err != nil || res.Status != 200 {
			t.Fatalf("%s: delivery %+v %v; want 200 (stored, so WeCom does not retry it)", b.name, res, err)
		}
	}
	// A real member's message after them: its reply shows the worker has been through the refused ones.
	if res, err := s.emu.Deliver(t.Context(), s.emu.TextMessage("lisi", "/help r901", 91010, time.Now())); err != nil || res.Status != 200 {
		t.Fatalf("lisi: %+v %v", res, err)
	}
	waitFor(t, 10*time.Second, "lisi's reply and every row handled", func() bool {
		c, _ := s.app.db.InboxCounts(t.Context())
		return s.replies("lisi")["r901"] >= 1 && c["pending"]+c["working"] == 0
	})
	time.Sleep(300 * time.Millisecond) // room for a wrong send to show up
	for i, k := range keys {
		it, state, err := s.app.db.GetInbox(t.Context(), k)
		if err != nil {
			t.Fatalf("%s: %v", bad[i].name, err)
		}
		if state != "failed" || !strings.Contains(it.LastError, "refused") || !strings.Contains(it.LastError, "userid") {
			t.Errorf("%s: row %q %q; want failed, saying the sender was refused as not a userid", bad[i].name, state, it.LastError)
		}
	}
	for _, m := range s.emu.Messages("") {
		if len(m.To) != 1 || m.To[0] != "lisi" {
			t.Errorf("message sent to %v (%s %q); want nothing sent for a refused sender", m.To, m.API, m.Content)
		}
	}
	if n := len(s.emu.Messages("")); n != 1 {
		t.Errorf("%d messages sent; want only lisi's reply", n)
	}
	for _, c := range s.emu.Calls() {
		q, _ := url.QueryUnescape(c.Query)
		for _, b := range bad {
			if strings.Contains(q, b.from) || strings.Contains(string(c.Body), b.from) {
				t.Errorf("WeCom call %s %s %s names the refused sender %q; want no command run for it", c.Path, q, c.Body, b.from)
			}
		}
	}
}
