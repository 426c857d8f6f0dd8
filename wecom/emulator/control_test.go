package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// control calls the control API and decodes a JSON answer into out (when not nil); it returns the status.
func control(t *testing.T, ts *wecomtest.Server, method, path, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+"/_emulator/"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s /_emulator/%s: %v in %q", method, path, err, b)
		}
	}
	return resp.StatusCode
}

type ctlAnswer struct {
	Status       int    `json:"status"`
	Attempts     int    `json:"attempts"`
	MsgID        string `json:"msgid"`
	ResponseCode string `json:"response_code"`
	CardType     string `json:"card_type"`
	ApplyID      string `json:"apply_id"`
	Error        string `json:"error"`
}

func TestControlSend(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	var a1, a2 ctlAnswer
	if st := control(t, ts, "POST", "send", `{"from":"lisi","text":"/help"}`, &a1); st != 200 || a1.Status != 200 || a1.Attempts != 1 {
		t.Fatalf("send = %d %+v", st, a1)
	}
	control(t, ts, "POST", "send", `{"from":"LiSi","text":"/devices pending"}`, &a2)
	got := b.received()
	if len(got) != 2 {
		t.Fatalf("bot received %d messages; want 2", len(got))
	}
	in1, in2 := parse(t, got[0]), parse(t, got[1])
	id1, _ := strconv.ParseUint(a1.MsgID, 10, 64)
	id2, _ := strconv.ParseUint(a2.MsgID, 10, 64)
	if in1.FromUserName != "lisi" || in1.Content != "/help" || in1.MsgID != id1 || in2.FromUserName != "lisi" || in2.MsgID != id2 {
		t.Errorf("bot got %+v and %+v for msgids %s, %s", in1, in2, a1.MsgID, a2.MsgID)
	}
	if id2 <= id1 {
		t.Errorf("msgids %d then %d; want increasing", id1, id2)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"from":"ghost","text":"hi"}`, "unknown member"},
		{`{"from":"zhouba","text":"hi"}`, "cannot use the app"},
		{`{"from":"lisi","text":""}`, "text missing"},
		{`{"from":"lisi","txt":"typo"}`, "unknown field"},
		{`{"from":"lisi","text":"` + strings.Repeat("x", 17<<10) + `"}`, "over"},
		{`not json`, "bad JSON"},
	} {
		var e ctlAnswer
		if st := control(t, ts, "POST", "send", tc.body, &e); st != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("send %.40s = %d %q; want 400 mentioning %q", tc.body, st, e.Error, tc.want)
		}
	}
	var e ctlAnswer
	if st := control(t, ts, "GET", "send", "", &e); st != 405 || e.Error == "" {
		t.Errorf("GET send = %d %+v; want 405", st, e)
	}
	if n := len(b.received()); n != 2 {
		t.Errorf("bot received %d messages after the bad requests; want still 2", n)
	}
}

func TestControlSendUnreachable(t *testing.T) {
	opts := testOptions()
	opts.CallbackURL = "http://" + closedAddr(t) + "/cb"
	ts := wecomtest.NewServer(t, opts)
	var a ctlAnswer
	start := time.Now()
	st := control(t, ts, "POST", "send", `{"from":"lisi","text":"hi"}`, &a)
	if st != 502 || !strings.Contains(a.Error, "bot unreachable at "+opts.CallbackURL) || a.Attempts != 4 {
		t.Errorf("send to a dead bot = %d %+v; want 502 bot unreachable", st, a)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v; want a fast failure", d)
	}

	failing := newBot(t, func(w http.ResponseWriter, r *http.Request, n int, plain []byte) { w.WriteHeader(500) })
	ts = emuFor(t, failing, nil)
	st = control(t, ts, "POST", "send", `{"from":"lisi","text":"hi"}`, &a)
	if st != 200 || a.Status != 500 || a.Attempts != 4 || a.Error == "" {
		t.Errorf("send to a failing bot = %d %+v; want 200 reporting the bot's 500", st, a)
	}

	ts = wecomtest.NewServer(t, testOptions())
	if st := control(t, ts, "POST", "send", `{"from":"lisi","text":"hi"}`, &a); st != 409 {
		t.Errorf("send without callback URL = %d; want 409", st)
	}
}

func TestControlCardClickAndUpdate(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	tok := ts.AccessToken(t)
	wantCode(t, call(t, ts, "POST", "message/send", tok, buttonCard("zhangsan|zhaoliu", "apply_7")), 0)

	var a ctlAnswer
	st := control(t, ts, "POST", "event", `{"from":"zhaoliu","event":"template_card_event","task_id":"apply_7","event_key":"approve"}`, &a)
	if st != 200 || a.Status != 200 || a.ResponseCode == "" || a.CardType != "button_interaction" {
		t.Fatalf("click = %d %+v", st, a)
	}
	in := parse(t, b.received()[0])
	if in.Event != "template_card_event" || in.FromUserName != "zhaoliu" || in.EventKey != "approve" || in.TaskID != "apply_7" ||
		in.CardType != "button_interaction" || in.ResponseCode != a.ResponseCode {
		t.Errorf("bot got %+v", in)
	}
	// The click's code updates the card once, for any recipient of the card.
	upd := map[string]any{"userids": []string{"zhangsan", "zhaoliu"}, "agentid": testAgentID,
		"response_code": in.ResponseCode, "button": map[string]any{"replace_name": "赵六已同意"}}
	r := call(t, ts, "POST", "message/update_template_card", tok, upd)
	wantCode(t, r, 0)
	if inv := r["invaliduser"].([]any); len(inv) != 0 {
		t.Errorf("invaliduser = %v", inv)
	}
	wantCode(t, call(t, ts, "POST", "message/update_template_card", tok, upd), 40058)

	for _, tc := range []struct{ body, want string }{
		{`{"from":"lisi","event":"template_card_event","task_id":"apply_7","event_key":"approve"}`, "did not receive"},
		{`{"from":"zhaoliu","event":"template_card_event","task_id":"apply_7","event_key":"approve","card_type":"vote_interaction"}`, "is a button_interaction card"},
		{`{"from":"zhaoliu","event":"template_card_event","task_id":"unknown_task","event_key":"k"}`, "card_type missing"},
		{`{"from":"zhaoliu","event":"template_card_event","task_id":"apply_7"}`, "event_key"},
	} {
		var e ctlAnswer
		if st := control(t, ts, "POST", "event", tc.body, &e); st != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("event %s = %d %q; want 400 mentioning %q", tc.body, st, e.Error, tc.want)
		}
	}
	// A card the emulator did not see can be clicked when its type is given, with a caller-chosen code.
	st = control(t, ts, "POST", "event", `{"from":"lisi","event":"template_card_event","task_id":"old_task","event_key":"k",
		"card_type":"vote_interaction","response_code":"RC","selected_items":[{"question_key":"q","option_ids":["a","b"]}]}`, &a)
	if st != 200 || a.ResponseCode != "RC" {
		t.Errorf("click on an unseen card = %d %+v", st, a)
	}
	if in := parse(t, b.received()[1]); len(in.SelectedItems) != 1 || strings.Join(in.SelectedItems[0].OptionIDs, ",") != "a,b" {
		t.Errorf("selected items = %+v", in.SelectedItems)
	}
}

func TestControlEvents(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	var a ctlAnswer
	ok := func(body string) ctlAnswer {
		t.Helper()
		var a ctlAnswer
		if st := control(t, ts, "POST", "event", body, &a); st != 200 || a.Status != 200 {
			t.Fatalf("event %s = %d %+v", body, st, a)
		}
		return a
	}
	last := func() inbound {
		t.Helper()
		got := b.received()
		return parse(t, got[len(got)-1])
	}

	ok(`{"from":"lisi","event":"enter_agent"}`)
	if in := last(); in.Event != "enter_agent" || in.FromUserName != "lisi" || in.AgentID == nil {
		t.Errorf("enter_agent: %+v", in)
	}
	ok(`{"from":"lisi","event":"click","event_key":"menu_devices"}`)
	if in := last(); in.Event != "click" || in.EventKey != "menu_devices" {
		t.Errorf("click: %+v", in)
	}
	ok(`{"event":"security"}`)
	raw := b.received()[2]
	if in := last(); in.Event != "security" || in.FromUserName != "sys" || in.ChangeType != "change_domain_ip" ||
		in.AgentID != nil || bytes.Contains(raw, []byte("AgentID")) {
		t.Errorf("security: %s", raw)
	}

	a = ok(`{"from":"wangwu","event":"submit_vip_account_approval","business_type":2,"apply_reason":"需要文档高级功能"}`)
	if a.ApplyID == "" {
		t.Fatalf("no apply_id in %+v", a)
	}
	if in := last(); in.FromUserName != "wangwu" || in.ApplyID != a.ApplyID || in.BusinessType != 2 || in.ApplyReason != "需要文档高级功能" {
		t.Errorf("submit_vip_account_approval: %+v", in)
	}
	ok(`{"event":"finish_vip_account_approval","apply_id":"` + a.ApplyID + `","finish_type":2}`)
	if in := last(); in.FromUserName != "sys" || in.ApplyID != a.ApplyID || in.FinishType != 2 {
		t.Errorf("finish_vip_account_approval: %+v", in)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"from":"lisi","event":"license_pay_submit"}`, "unknown event"},
		{`{"from":"lisi","event":"enter_agent","task_id":"x"}`, "does not apply"},
		{`{"from":"lisi","event":"click"}`, "event_key missing"},
		{`{"from":"lisi","event":"security"}`, "comes from \"sys\""},
		{`{"from":"wangwu","event":"submit_vip_account_approval","business_type":9}`, "business_type"},
		{`{"event":"finish_vip_account_approval","apply_id":"` + a.ApplyID + `","finish_type":1}`, "already finished"},
		{`{"event":"finish_vip_account_approval","apply_id":"nope","finish_type":1}`, "does not exist"},
		{`{"event":"finish_vip_account_approval","apply_id":"x","finish_type":7}`, "finish_type"},
		{`{"from":"ghost","event":"enter_agent"}`, "unknown member"},
	} {
		var e ctlAnswer
		if st := control(t, ts, "POST", "event", tc.body, &e); st != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("event %s = %d %q; want 400 mentioning %q", tc.body, st, e.Error, tc.want)
		}
	}
	if n := len(b.received()); n != 5 {
		t.Errorf("bot received %d events; want 5", n)
	}
}

func TestControlInspectAndFaults(t *testing.T) {
	ts, tok := emu(t, testOptions())
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "one")), 0)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("wangwu", "two")), 0)

	var msgs []emulator.SentMessage
	if st := control(t, ts, "GET", "messages?to=wangwu", "", &msgs); st != 200 || len(msgs) != 1 || msgs[0].Content != "two" {
		t.Errorf("messages?to=wangwu = %d %+v", st, msgs)
	}
	control(t, ts, "GET", "messages", "", &msgs)
	if len(msgs) != 2 || msgs[0].Seq >= msgs[1].Seq {
		t.Errorf("messages = %+v; want both in order", msgs)
	}
	control(t, ts, "GET", "messages?to=nobody", "", &msgs)
	if msgs == nil || len(msgs) != 0 {
		t.Errorf("messages?to=nobody = %#v; want []", msgs)
	}

	var calls []emulator.Call
	control(t, ts, "GET", "calls?path=message/send", "", &calls)
	if len(calls) != 2 || calls[0].Path != "message/send" || strings.Contains(calls[0].Query, tok) {
		t.Errorf("calls = %+v; want 2 message/send calls without the token", calls)
	}

	var e ctlAnswer
	if st := control(t, ts, "POST", "fail", `{"path":"message/send","errcode":45009,"times":2}`, nil); st != 200 {
		t.Fatalf("fail = %d", st)
	}
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "x")), 45009)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "x")), 45009)
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "x")), 0)
	if st := control(t, ts, "POST", "fail", `{"path":"no/such/api","errcode":1}`, &e); st != 400 {
		t.Errorf("fail on an unknown path = %d", st)
	}
	if st := control(t, ts, "POST", "fail", `{"path":"message/send"}`, &e); st != 400 {
		t.Errorf("fail without errcode = %d", st)
	}

	if st := control(t, ts, "POST", "expire-tokens", "", nil); st != 200 {
		t.Fatalf("expire-tokens = %d", st)
	}
	wantCode(t, call(t, ts, "POST", "message/send", tok, text("lisi", "x")), 42001)
	tok = ts.AccessToken(t)

	var oc struct {
		Code string `json:"code"`
	}
	if st := control(t, ts, "POST", "oauth-code", `{"userid":"lisi"}`, &oc); st != 200 || oc.Code == "" {
		t.Fatalf("oauth-code = %d %+v", st, oc)
	}
	r := call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {oc.Code}})
	if r.code() != 0 || r.str("userid") != "lisi" {
		t.Errorf("getuserinfo with the control code = %v", r)
	}
	if st := control(t, ts, "POST", "oauth-code", `{"userid":"ghost"}`, &e); st != 400 {
		t.Errorf("oauth-code for ghost = %d", st)
	}
	if st := control(t, ts, "POST", "oauth-code", `{}`, &e); st != 400 {
		t.Errorf("oauth-code without userid = %d", st)
	}

	resp, err := http.Get(ts.URL + "/_emulator/")
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(idx), "POST /_emulator/send") {
		t.Errorf("index = %d %q", resp.StatusCode, idx)
	}
	if st := control(t, ts, "GET", "nope", "", &e); st != 404 || e.Error == "" {
		t.Errorf("unknown endpoint = %d %+v", st, e)
	}
}

func TestControlVerifyURL(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	var v struct {
		OK   bool   `json:"ok"`
		Echo string `json:"echo"`
		Got  string `json:"got"`
	}
	if st := control(t, ts, "POST", "verify-url", "", &v); st != 200 || !v.OK || v.Echo != v.Got {
		t.Errorf("verify-url = %d %+v", st, v)
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- emulator.Serve(ctx, ln, emulator.New(testOptions())) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/cgi-bin/gettoken?corpid=" + testCorpID + "&corpsecret=" + testSecret)
	if err != nil {
		t.Fatal(err)
	}
	var r result
	json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	if r.code() != 0 || r.str("access_token") == "" {
		t.Errorf("gettoken over Serve = %v", r)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop after cancel")
	}
	if err := emulator.ListenAndServe(t.Context(), "256.0.0.1:bad", emulator.New(testOptions())); err == nil ||
		errors.Is(err, http.ErrServerClosed) {
		t.Errorf("ListenAndServe on a bad address = %v; want a listen error", err)
	}
}
