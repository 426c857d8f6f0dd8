package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// ---- helpers shared by this package's tests ----

const (
	testCorpID  = "wwtestcorp000001"
	testAgentID = 1000002
	testSecret  = "test-secret"
	testToken   = "testtoken123"
	testAESKey  = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

// clock is an injectable emulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testOptions() emulator.Options {
	return emulator.Options{CorpID: testCorpID, AgentID: testAgentID, Secret: testSecret, Token: testToken,
		EncodingAESKey: testAESKey}
}

// emu starts an emulator and fetches a token.
func emu(t *testing.T, opts emulator.Options) (*wecomtest.Server, string) {
	t.Helper()
	ts := wecomtest.NewServer(t, opts)
	return ts, ts.AccessToken(t)
}

// result is a decoded API answer.
type result map[string]any

func (r result) code() int {
	f, _ := r["errcode"].(float64)
	return int(f)
}

func (r result) str(k string) string {
	s, _ := r[k].(string)
	return s
}

// call makes an API call: GET with query parameters when body is a url.Values or nil, POST with JSON
// otherwise (a string or []byte body is sent as is).
func call(t *testing.T, ts *wecomtest.Server, method, path, token string, body any) result {
	t.Helper()
	u := ts.URL + "/cgi-bin/" + path
	q := url.Values{}
	if token != "" {
		q.Set("access_token", token)
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case url.Values:
		for k, v := range b {
			q[k] = v
		}
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u+"?"+q.Encode(), rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out result
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: decoding the answer: %v", method, path, err)
	}
	return out
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code() != code {
		t.Fatalf("errcode = %d (%s); want %d", r.code(), r.str("errmsg"), code)
	}
}

func text(to, content string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": content}}
}

func buttonCard(to, taskID string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "template_card", "agentid": testAgentID,
		"template_card": map[string]any{
			"card_type":  "button_interaction",
			"main_title": map[string]any{"title": "审批", "desc": "高级功能账号申请"},
			"task_id":    taskID,
			"button_list": []any{
				map[string]any{"text": "同意", "style": 1, "key": "approve"},
				map[string]any{"text": "驳回", "style": 2, "key": "reject"},
			},
		}}
}

// ---- message/send ----

func TestMessageSendText(t *testing.T) {
	ts, tok := emu(t, testOptions())
	body := text("lisi", "你好 **world**")
	r := call(t, ts, "POST", "message/send", tok, body)
	wantCode(t, r, 0)
	if r.str("msgid") == "" {
		t.Fatalf("no msgid in %v", r)
	}
	for _, k := range []string{"invaliduser", "invalidparty", "invalidtag", "response_code"} {
		if _, ok := r[k]; ok {
			t.Errorf("answer has %s: %v", k, r)
		}
	}
	msgs := ts.Messages("lisi")
	if len(msgs) != 1 {
		t.Fatalf("Messages(lisi) = %d messages; want 1", len(msgs))
	}
	m := msgs[0]
	if m.API != "message/send" || m.MsgType != "text" || m.Content != "你好 **world**" || m.Dropped ||
		!slices.Equal(m.To, []string{"lisi"}) || m.MsgID != r.str("msgid") {
		t.Errorf("recorded %+v", m)
	}
	var sent map[string]any
	if err := json.Unmarshal(m.Body, &sent); err != nil || sent["msgtype"] != "text" {
		t.Errorf("Body = %s; want the request body", m.Body)
	}
	if len(ts.Messages("wangwu")) != 0 {
		t.Error("wangwu got lisi's message")
	}
	r2 := call(t, ts, "POST", "message/send", tok, text("lisi", "again"))
	if r2.str("msgid") == r.str("msgid") {
		t.Error("msgid reused")
	}
}

func TestMessageSendValidation(t *testing.T) {
	long := strings.Repeat("长", 683) // 2049 bytes
	card := func(mod func(c map[string]any)) map[string]any {
		b := buttonCard("lisi", "task1")
		mod(b["template_card"].(map[string]any))
		return b
	}
	tests := []struct {
		name string
		body any
		code int
	}{
		{"agentid missing", map[string]any{"touser": "lisi", "msgtype": "text", "text": map[string]any{"content": "x"}}, 40056},
		{"agentid 0", map[string]any{"touser": "lisi", "msgtype": "text", "agentid": 0, "text": map[string]any{"content": "x"}}, 40056},
		{"other agent", map[string]any{"touser": "lisi", "msgtype": "text", "agentid": 1000003, "text": map[string]any{"content": "x"}}, 301002},
		{"no recipients", map[string]any{"msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "x"}}, 82001},
		{"blank recipients", map[string]any{"touser": " | ", "msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "x"}}, 82001},
		{"touser over 1000", text(strings.Repeat("u|", 1001), "x"), 40032},
		{"toparty over 100", map[string]any{"toparty": strings.Repeat("2|", 101), "msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "x"}}, 40058},
		{"totag over 100", map[string]any{"totag": strings.Repeat("1|", 101), "msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "x"}}, 40058},
		{"unknown msgtype", map[string]any{"touser": "lisi", "msgtype": "sticker", "agentid": testAgentID}, 40008},
		{"text missing", map[string]any{"touser": "lisi", "msgtype": "text", "agentid": testAgentID}, 44004},
		{"text empty", text("lisi", ""), 44004},
		{"text over 5120 bytes", text("lisi", strings.Repeat("长", 1707)), 40058},
		{"markdown empty", map[string]any{"touser": "lisi", "msgtype": "markdown", "agentid": testAgentID, "markdown": map[string]any{"content": ""}}, 44004},
		{"markdown too long", map[string]any{"touser": "lisi", "msgtype": "markdown", "agentid": testAgentID, "markdown": map[string]any{"content": long}}, 45002},
		{"textcard no url", map[string]any{"touser": "lisi", "msgtype": "textcard", "agentid": testAgentID, "textcard": map[string]any{"title": "t", "description": "d"}}, 40058},
		{"textcard no title", map[string]any{"touser": "lisi", "msgtype": "textcard", "agentid": testAgentID, "textcard": map[string]any{"description": "d", "url": "https://x"}}, 40058},
		{"image no media_id", map[string]any{"touser": "lisi", "msgtype": "image", "agentid": testAgentID, "image": map[string]any{}}, 41006},
		{"news no articles", map[string]any{"touser": "lisi", "msgtype": "news", "agentid": testAgentID, "news": map[string]any{"articles": []any{}}}, 40058},
		{"bad json", `{"touser":"lisi",`, 40058},
		{"wrong type", `{"touser":"lisi","msgtype":"text","agentid":"abc","text":{"content":"x"}}`, 40058},
		{"bad json inside", `{"touser":"lisi","msgtype":"text","agentid":1000002,"text":{"content":7}}`, 40058},
		{"empty body", "", 40058},
		{"card type unknown", card(func(c map[string]any) { c["card_type"] = "fancy" }), 40058},
		{"card task_id missing", card(func(c map[string]any) { delete(c, "task_id") }), 42014},
		{"card task_id chars", card(func(c map[string]any) { c["task_id"] = "task 1" }), 40058},
		{"card task_id too long", card(func(c map[string]any) { c["task_id"] = strings.Repeat("a", 129) }), 42014},
		{"card main_title missing", card(func(c map[string]any) { delete(c, "main_title") }), 40058},
		{"card no buttons", card(func(c map[string]any) { c["button_list"] = []any{} }), 40058},
		{"card 7 buttons", card(func(c map[string]any) {
			var bl []any
			for i := range 7 {
				bl = append(bl, map[string]any{"text": "b", "key": strings.Repeat("k", i+1)})
			}
			c["button_list"] = bl
		}), 40058},
		{"card button key missing", card(func(c map[string]any) {
			c["button_list"] = []any{map[string]any{"text": "同意"}}
		}), 40058},
		{"card button key duplicate", card(func(c map[string]any) {
			c["button_list"] = []any{map[string]any{"text": "a", "key": "k"}, map[string]any{"text": "b", "key": "k"}}
		}), 40058},
		{"card row without keyname", card(func(c map[string]any) {
			c["horizontal_content_list"] = []any{map[string]any{"value": "张三"}}
		}), 40058},
		{"card url row without url", card(func(c map[string]any) {
			c["horizontal_content_list"] = []any{map[string]any{"keyname": "页面", "type": 1}}
		}), 40058},
		{"card member row without userid", card(func(c map[string]any) {
			c["horizontal_content_list"] = []any{map[string]any{"keyname": "成员", "type": 3}}
		}), 40058},
		{"card url quote without url", card(func(c map[string]any) { c["quote_area"] = map[string]any{"type": 1, "quote_text": "q"} }), 40058},
		{"card quote type unknown", card(func(c map[string]any) { c["quote_area"] = map[string]any{"type": 5, "quote_text": "q"} }), 40058},
		{"text_notice without card_action", map[string]any{"touser": "lisi", "msgtype": "template_card", "agentid": testAgentID,
			"template_card": map[string]any{"card_type": "text_notice", "main_title": map[string]any{"title": "t"}}}, 40058},
	}
	ts, tok := emu(t, testOptions())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, ts, "POST", "message/send", tok, tt.body)
			wantCode(t, r, tt.code)
			if !strings.Contains(r.str("errmsg"), "more info at") {
				t.Errorf("errmsg %q lacks WeCom's hint link", r.str("errmsg"))
			}
		})
	}
	if n := len(ts.Messages("")); n != 0 {
		t.Errorf("%d messages recorded for failed sends; want 0", n)
	}
	// The same card is fine once valid: the validation above did not burn task1.
	wantCode(t, call(t, ts, "POST", "message/send", tok, buttonCard("lisi", "task1")), 0)
	// A button of type 1 (URL) needs no key.
	urlButton := card(func(c map[string]any) {
		c["task_id"] = "task2"
		c["button_list"] = []any{map[string]any{"text": "详情", "type": 1, "url": "https://example.com"}}
	})
	wantCode(t, call(t, ts, "POST", "message/send", tok, urlButton), 0)
}

func TestMessageSendTextcardTruncates(t *testing.T) {
	ts, tok := emu(t, testOptions())
	title := strings.Repeat("审", 50)           // 150 bytes
	desc := strings.Repeat("<div>x</div>", 50) // 600 bytes
	r := call(t, ts, "POST", "message/send", tok, map[string]any{"touser": "lisi", "msgtype": "textcard",
		"agentid": testAgentID, "textcard": map[string]any{"title": title, "description": desc, "url": "https://bot/x"}})
	wantCode(t, r, 0)
	m := ts.Messages("lisi")[0]
	if !m.Truncated || len(m.Title) > 128 || !utf8.ValidString(m.Title) || !strings.HasPrefix(title, m.Title) ||
		len(m.Title) != 126 || len(m.Content) != 512 || m.URL != "https://bot/x" {
		t.Errorf("Title %d bytes, Content %d bytes, Truncated %v, URL %q; want 126, 512, true", len(m.Title), len(m.Content), m.Truncated, m.URL)
	}
}

func TestMessageSendResolvesRecipients(t *testing.T) {
	ts, tok := emu(t, testOptions())
	r := call(t, ts, "POST", "message/send", tok, map[string]any{
		"touser": "LiSi|Nobody|zhouba", "toparty": "2|99|x", "totag": "3|77",
		"msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "hi"}})
	wantCode(t, r, 0)
	if got := r.str("invaliduser"); got != "nobody|zhouba" {
		t.Errorf("invaliduser = %q; want nobody|zhouba (unknown and invisible, lower-cased)", got)
	}
	if got := r.str("invalidparty"); got != "99|x" {
		t.Errorf("invalidparty = %q; want 99|x", got)
	}
	if got := r.str("invalidtag"); got != "77" {
		t.Errorf("invalidtag = %q; want 77", got)
	}
	// lisi (named); department 2 with sub-department 5: lisi, wangwu, sunqi; tag 3 = department 3: zhangsan, wujiu.
	got := ts.Messages("")[0].To
	slices.Sort(got)
	want := []string{"lisi", "sunqi", "wangwu", "wujiu", "zhangsan"}
	if !slices.Equal(got, want) {
		t.Errorf("To = %v; want %v", got, want)
	}

	r = call(t, ts, "POST", "message/send", tok, map[string]any{"touser": "ghost|zhouba", "toparty": "42", "totag": "9",
		"msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "hi"}})
	wantCode(t, r, 81013)
	if n := len(ts.Messages("")); n != 1 {
		t.Errorf("%d messages recorded; the 81013 send must not be recorded", n)
	}

	r = call(t, ts, "POST", "message/send", tok, map[string]any{"touser": "@all", "toparty": "99",
		"msgtype": "text", "agentid": testAgentID, "text": map[string]any{"content": "all"}})
	wantCode(t, r, 0)
	if _, ok := r["invalidparty"]; ok {
		t.Error("toparty must be ignored with @all")
	}
	all := ts.Messages("")[1].To
	if len(all) != 6 || slices.Contains(all, "zhouba") {
		t.Errorf("@all reached %v; want the 6 visible members", all)
	}
}

func TestMemberRateLimit(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now, opts.MemberPerMinute, opts.MemberPerHour = clk.Now, 3, 5
	ts, tok := emu(t, opts)
	send := func(to string) {
		t.Helper()
		wantCode(t, call(t, ts, "POST", "message/send", tok, text(to, "ping")), 0) // dropping is silent
	}
	for range 5 {
		send("lisi")
	}
	if got := len(ts.Delivered("lisi")); got != 3 {
		t.Errorf("delivered to lisi = %d; want 3", got)
	}
	if got := ts.DroppedCount("lisi"); got != 2 {
		t.Errorf("DroppedCount(lisi) = %d; want 2", got)
	}
	// A send to several members drops only for the saturated one.
	send("lisi|wangwu")
	last := ts.Messages("")
	if n := len(last); n != 7 {
		t.Fatalf("%d records; want 7 (5 single sends + delivered and dropped halves of the last)", n)
	}
	if d, x := last[5], last[6]; d.Dropped || !slices.Equal(d.To, []string{"wangwu"}) || !x.Dropped ||
		!slices.Equal(x.To, []string{"lisi"}) || d.MsgID != x.MsgID {
		t.Errorf("last send recorded as %+v and %+v; want wangwu delivered, lisi dropped, same msgid", d, x)
	}

	// The minute window slides: 59 s later lisi is still full, a minute later not.
	clk.Advance(59 * time.Second)
	send("lisi")
	if got := ts.DroppedCount("lisi"); got != 4 {
		t.Errorf("DroppedCount(lisi) after 59 s = %d; want 4", got)
	}
	clk.Advance(time.Second)
	send("lisi")
	send("lisi")
	if got := len(ts.Delivered("lisi")); got != 5 {
		t.Errorf("delivered to lisi after a minute = %d; want 5", got)
	}
	// Now the hour limit (5) holds even in a fresh minute.
	clk.Advance(2 * time.Minute)
	send("lisi")
	if got := ts.DroppedCount("lisi"); got != 5 {
		t.Errorf("DroppedCount(lisi) at the hour limit = %d; want 5", got)
	}
	clk.Advance(time.Hour)
	send("lisi")
	if got := len(ts.Delivered("lisi")); got != 6 {
		t.Errorf("delivered to lisi an hour later = %d; want 6", got)
	}
}

func TestUpdateTemplateCard(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now = clk.Now
	ts, tok := emu(t, opts)

	r := call(t, ts, "POST", "message/send", tok, buttonCard("zhangsan|zhaoliu", "apply_42"))
	wantCode(t, r, 0)
	code := r.str("response_code")
	if code == "" {
		t.Fatalf("button_interaction card: no response_code in %v", r)
	}
	wantCode(t, call(t, ts, "POST", "message/send", tok, buttonCard("lisi", "apply_42")), 42014)

	update := func(code string, users ...string) result {
		return call(t, ts, "POST", "message/update_template_card", tok, map[string]any{
			"userids": users, "agentid": testAgentID, "response_code": code,
			"button": map[string]any{"replace_name": "已同意"}})
	}
	r = update(code, "zhangsan", "sunqi")
	wantCode(t, r, 0)
	if inv, ok := r["invaliduser"].([]any); !ok || len(inv) != 1 || inv[0] != "sunqi" {
		t.Errorf("invaliduser = %#v; want [sunqi] (an array; sunqi never got the card)", r["invaliduser"])
	}
	wantCode(t, update(code, "zhangsan"), 40058) // single use
	wantCode(t, update("never-issued", "zhangsan"), 40058)

	var up *emulator.SentMessage
	for _, m := range ts.Messages("zhangsan") {
		if m.API == "message/update_template_card" {
			up = &m
		}
	}
	if up == nil || up.MsgType != "update_button" || up.TaskID != "apply_42" || up.Title != "已同意" ||
		!slices.Equal(up.To, []string{"zhangsan"}) {
		t.Errorf("update recorded as %+v", up)
	}

	// Replacing the whole card is the other form; agentid and exactly-one-of are checked.
	r = call(t, ts, "POST", "message/send", tok, buttonCard("zhaoliu", "apply_43"))
	code2 := r.str("response_code")
	wantCode(t, call(t, ts, "POST", "message/update_template_card", tok, map[string]any{
		"userids": []string{"zhaoliu"}, "agentid": 1, "response_code": code2,
		"button": map[string]any{"replace_name": "x"}}), 301002)
	wantCode(t, call(t, ts, "POST", "message/update_template_card", tok, map[string]any{
		"userids": []string{"zhaoliu"}, "agentid": testAgentID, "response_code": code2}), 40058)
	newCard := buttonCard("", "apply_43")["template_card"]
	wantCode(t, call(t, ts, "POST", "message/update_template_card", tok, map[string]any{
		"atall": 1, "agentid": testAgentID, "response_code": code2, "template_card": newCard}), 0)

	// Codes expire after 72 hours.
	early := call(t, ts, "POST", "message/send", tok, buttonCard("zhaoliu", "apply_44")).str("response_code")
	late := call(t, ts, "POST", "message/send", tok, buttonCard("zhaoliu", "apply_45")).str("response_code")
	clk.Advance(72*time.Hour - time.Second)
	tok = ts.AccessToken(t) // the old token expired long ago
	wantCode(t, update(late, "zhaoliu"), 0)
	clk.Advance(time.Second)
	wantCode(t, update(early, "zhaoliu"), 40058)

	// A notice card gets no response_code.
	r = call(t, ts, "POST", "message/send", tok, map[string]any{"touser": "lisi", "msgtype": "template_card",
		"agentid": testAgentID, "template_card": map[string]any{"card_type": "text_notice",
			"main_title": map[string]any{"title": "通知"}, "card_action": map[string]any{"type": 1, "url": "https://x"}}})
	wantCode(t, r, 0)
	if _, ok := r["response_code"]; ok {
		t.Error("text_notice card got a response_code")
	}
}

// TestMessageSendTextTruncated: WeCom takes text up to 5,120 bytes and shows the member the first 2,048
// (DOC/90236 "超过将截断"); the record says so, so a test can see content was lost.
func TestMessageSendTextTruncated(t *testing.T) {
	ts, tok := emu(t, testOptions())
	body := strings.Repeat("长", 1000) // 3000 bytes
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", body)), 0)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", strings.Repeat("a", 5120))), 0)
	m := ts.Messages("lisi")
	if len(m) != 2 {
		t.Fatalf("recorded %d messages, want 2", len(m))
	}
	if !m[0].Truncated || m[0].Content != strings.Repeat("长", 682) {
		t.Errorf("3000-byte text: truncated=%v, %d bytes shown; want truncated to 2046 bytes on a rune boundary",
			m[0].Truncated, len(m[0].Content))
	}
	if !m[1].Truncated || len(m[1].Content) != 2048 {
		t.Errorf("5120-byte text: truncated=%v, %d bytes shown; want 2048", m[1].Truncated, len(m[1].Content))
	}
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "short")), 0)
	if m := ts.Messages("lisi"); m[2].Truncated {
		t.Error("a short text is marked truncated")
	}
}

func TestMemberRateLimitShortMinute(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now, opts.MemberPerMinute, opts.MemberMinute = clk.Now, 2, 5*time.Second
	ts, tok := emu(t, opts)
	for range 3 {
		wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "ping")), 0)
	}
	if d := ts.DroppedCount("lisi"); d != 1 {
		t.Errorf("DroppedCount(lisi) = %d; want 1 (2 per 5 s window)", d)
	}
	clk.Advance(4 * time.Second)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "ping")), 0)
	if d := ts.DroppedCount("lisi"); d != 2 {
		t.Errorf("DroppedCount(lisi) 4 s later = %d; want 2 (the window still full)", d)
	}
	clk.Advance(time.Second)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "ping")), 0)
	if n := len(ts.Delivered("lisi")); n != 3 {
		t.Errorf("delivered to lisi after the window = %d; want 3", n)
	}
}
