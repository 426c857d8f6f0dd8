package emulator_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestAppchat(t *testing.T) {
	ts, tok := emu(t, testOptions())
	send := func(chatid, msgtype string, content any) result {
		return call(t, ts, "POST", "appchat/send", tok, map[string]any{"chatid": chatid, "msgtype": msgtype, msgtype: content})
	}
	wantCode(t, send("secops", "text", map[string]any{"content": "告警"}), 0)
	m := ts.Messages("wujiu")
	if len(m) != 1 || m[0].ChatID != "secops" || m[0].API != "appchat/send" || !slices.Equal(m[0].To, []string{"zhangsan", "wujiu"}) {
		t.Errorf("recorded %+v", m)
	}
	wantCode(t, send("notours", "text", map[string]any{"content": "x"}), 86008)
	wantCode(t, send("nosuchchat", "text", map[string]any{"content": "x"}), 86001)
	wantCode(t, send("", "text", map[string]any{"content": "x"}), 86001)
	wantCode(t, send("secops", "template_card", buttonCard("", "t")["template_card"]), 40008)
	wantCode(t, send("secops", "text", map[string]any{"content": ""}), 44004)
	wantCode(t, send("secops", "markdown", map[string]any{"content": strings.Repeat("a", 2049)}), 45002)
	wantCode(t, send("secops", "textcard", map[string]any{"title": "t", "description": "d", "url": "https://x"}), 0)

	create := func(body map[string]any) result { return call(t, ts, "POST", "appchat/create", tok, body) }
	wantCode(t, create(map[string]any{"userlist": []string{"lisi"}}), 86006)
	wantCode(t, create(map[string]any{"userlist": []string{"lisi", "ghost"}}), 86007)
	wantCode(t, create(map[string]any{"userlist": []string{"lisi", "wangwu"}, "owner": "zhangsan"}), 86005)
	wantCode(t, create(map[string]any{"userlist": []string{"lisi", "wangwu"}, "chatid": "bad-id!"}), 86001)
	r := create(map[string]any{"name": "发布群", "userlist": []string{"lisi", "wangwu"}, "chatid": "release1"})
	wantCode(t, r, 0)
	if r.str("chatid") != "release1" {
		t.Errorf("chatid = %q", r.str("chatid"))
	}
	wantCode(t, create(map[string]any{"userlist": []string{"lisi", "wangwu"}, "chatid": "release1"}), 86001)
	g := call(t, ts, "GET", "appchat/get", tok, url.Values{"chatid": {"release1"}})
	wantCode(t, g, 0)
	info := g["chat_info"].(map[string]any)
	if info["name"] != "发布群" || info["owner"] != "lisi" || len(info["userlist"].([]any)) != 2 {
		t.Errorf("chat_info = %v", info)
	}
	wantCode(t, call(t, ts, "GET", "appchat/get", tok, url.Values{"chatid": {"notours"}}), 86008)
	wantCode(t, send("release1", "text", map[string]any{"content": "v1.2 上线"}), 0)
	if n := len(ts.Messages("wangwu")); n != 1 {
		t.Errorf("wangwu has %d chat messages; want 1", n)
	}
}
