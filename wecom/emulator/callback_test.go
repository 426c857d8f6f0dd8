package emulator_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// bot is a callback receiver that checks and decrypts what the emulator delivers, like the real bot does.
type bot struct {
	*httptest.Server
	t  *testing.T
	cr *wecom.Crypter

	mu      sync.Mutex
	plains  [][]byte
	envs    []*wecom.Envelope
	rejects []string
}

// behaviour answers the n-th (from 1) delivery, whose plaintext is plain; nil answers 200 with an empty body.
type behaviour func(w http.ResponseWriter, r *http.Request, n int, plain []byte)

func newBot(t *testing.T, answer behaviour) *bot {
	t.Helper()
	cr, err := wecom.NewCrypter(testToken, testAESKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	b := &bot{t: t, cr: cr}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == "GET" {
			echo, err := cr.VerifyURL(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Write(echo)
			return
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		env, err := wecom.ParseEnvelope(body)
		if err == nil && cr.Signature(q.Get("timestamp"), q.Get("nonce"), env.Encrypt) != q.Get("msg_signature") {
			err = errors.New("signature mismatch")
		}
		var plain []byte
		if err == nil {
			_, plain, err = cr.DecryptMessage(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
		}
		b.mu.Lock()
		if err != nil {
			b.rejects = append(b.rejects, err.Error())
			b.mu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.plains = append(b.plains, plain)
		b.envs = append(b.envs, env)
		n := len(b.plains)
		b.mu.Unlock()
		if answer != nil {
			answer(w, r, n, plain)
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *bot) received() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.rejects) > 0 {
		b.t.Errorf("bot rejected deliveries: %s", strings.Join(b.rejects, "; "))
	}
	return append([][]byte(nil), b.plains...)
}

func (b *bot) envelopes() []*wecom.Envelope {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*wecom.Envelope(nil), b.envs...)
}

// emuFor starts an emulator delivering to the bot.
func emuFor(t *testing.T, b *bot, mod func(*emulator.Options)) *wecomtest.Server {
	t.Helper()
	opts := testOptions()
	opts.CallbackURL = b.URL + "/wecom/callback?source=emu"
	if mod != nil {
		mod(&opts)
	}
	return wecomtest.NewServer(t, opts)
}

// inbound is a decrypted callback as the bot parses it.
type inbound struct {
	ToUserName    string `xml:"ToUserName"`
	FromUserName  string `xml:"FromUserName"`
	CreateTime    int64  `xml:"CreateTime"`
	MsgType       string `xml:"MsgType"`
	Content       string `xml:"Content"`
	MsgID         uint64 `xml:"MsgId"`
	AgentID       *int   `xml:"AgentID"`
	Event         string `xml:"Event"`
	EventKey      string `xml:"EventKey"`
	TaskID        string `xml:"TaskId"`
	CardType      string `xml:"CardType"`
	ResponseCode  string `xml:"ResponseCode"`
	ApplyID       string `xml:"ApplyId"`
	BusinessType  int    `xml:"BusinessType"`
	ApplyReason   string `xml:"ApplyReason"`
	FinishType    int    `xml:"FinishType"`
	ChangeType    string `xml:"ChangeType"`
	SelectedItems []struct {
		QuestionKey string   `xml:"QuestionKey"`
		OptionIDs   []string `xml:"OptionIds>OptionId"`
	} `xml:"SelectedItems>SelectedItem"`
}

func parse(t *testing.T, plain []byte) inbound {
	t.Helper()
	var in inbound
	if err := xml.Unmarshal(plain, &in); err != nil {
		t.Fatalf("callback XML %q: %v", plain, err)
	}
	return in
}

func TestDeliverText(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	// "]]>" must survive CDATA; a NUL is not legal XML at all and becomes U+FFFD.
	content := "/order note a]]>b <c> & \"d\" 中文\x00"
	plain := ts.TextMessage("lisi", content, 4561255354251345929, time.Unix(1700000000, 0))
	res, err := ts.Deliver(t.Context(), plain)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || res.Attempts != 1 || res.Reply != "" || res.ReplyError != "" {
		t.Errorf("Deliver = %+v; want 200 after 1 attempt, no reply", res)
	}
	got := b.received()
	if len(got) != 1 || !bytes.Equal(got[0], plain) {
		t.Fatalf("bot received %q; want %q", got, plain)
	}
	env := b.envelopes()[0]
	if env.ToUserName != testCorpID || env.AgentID != "1000002" {
		t.Errorf("envelope ToUserName %q AgentID %q", env.ToUserName, env.AgentID)
	}
	in := parse(t, got[0])
	want := "/order note a]]>b <c> & \"d\" 中文\uFFFD"
	if in.Content != want || in.FromUserName != "lisi" || in.ToUserName != testCorpID || in.MsgType != "text" ||
		in.MsgID != 4561255354251345929 || in.CreateTime != 1700000000 || in.AgentID == nil || *in.AgentID != testAgentID {
		t.Errorf("parsed %+v", in)
	}
}

func TestDeliverRetriesOnTimeout(t *testing.T) {
	b := newBot(t, func(w http.ResponseWriter, r *http.Request, n int, plain []byte) {
		select { // slower than CallbackTimeout, but let go when the emulator hangs up
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ts := emuFor(t, b, func(o *emulator.Options) { o.CallbackTimeout = 200 * time.Millisecond })
	plain := ts.TextMessage("lisi", "hello", 77, time.Now())
	start := time.Now()
	res, err := ts.Deliver(t.Context(), plain)
	elapsed := time.Since(start)
	var de *emulator.DeliveryError
	if !errors.As(err, &de) || de.Attempts != 4 || de.Status != 0 {
		t.Fatalf("Deliver error = %v; want a DeliveryError after 4 attempts", err)
	}
	if res.Attempts != 4 || elapsed < 800*time.Millisecond || elapsed > 4*time.Second {
		t.Errorf("Attempts %d in %v; want 4 in about 4×200ms", res.Attempts, elapsed)
	}
	got := b.received()
	if len(got) != 4 {
		t.Fatalf("bot saw %d deliveries; want 4 (1 + 3 retries)", len(got))
	}
	for i, p := range got {
		if !bytes.Equal(p, plain) {
			t.Errorf("delivery %d = %q; want the same XML (same MsgId, CreateTime)", i+1, p)
		}
	}
}

func TestDeliverRetriesOnNon200(t *testing.T) {
	b := newBot(t, func(w http.ResponseWriter, r *http.Request, n int, plain []byte) {
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	})
	ts := emuFor(t, b, nil)
	res, err := ts.Deliver(t.Context(), ts.Event("lisi", "enter_agent", map[string]string{"EventKey": ""}))
	if err != nil || res.Status != 200 || res.Attempts != 3 {
		t.Errorf("Deliver = %+v, %v; want 200 on the 3rd attempt", res, err)
	}

	always := newBot(t, func(w http.ResponseWriter, r *http.Request, n int, plain []byte) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	ts = emuFor(t, always, nil)
	res, err = ts.Deliver(t.Context(), ts.TextMessage("lisi", "x", 1, time.Now()))
	var de *emulator.DeliveryError
	if !errors.As(err, &de) || de.Status != 500 || res.Attempts != 4 || len(always.received()) != 4 {
		t.Errorf("Deliver = %+v, %v; want a DeliveryError with status 500 after 4 attempts", res, err)
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDeliverUnreachable(t *testing.T) {
	opts := testOptions()
	opts.CallbackURL = "http://" + closedAddr(t) + "/wecom/callback"
	ts := wecomtest.NewServer(t, opts)
	start := time.Now()
	res, err := ts.Deliver(t.Context(), ts.TextMessage("lisi", "x", 1, time.Now()))
	var de *emulator.DeliveryError
	if !errors.As(err, &de) || de.Status != 0 || res.Attempts != 4 {
		t.Errorf("Deliver = %+v, %v; want a DeliveryError without status after 4 attempts", res, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v; an unreachable bot must fail fast", d)
	}

	// Without a callback URL there is nothing to deliver to; a cancelled context stops at once.
	ts = wecomtest.NewServer(t, testOptions())
	if _, err := ts.Deliver(t.Context(), ts.TextMessage("lisi", "x", 1, time.Now())); err == nil {
		t.Error("Deliver without CallbackURL succeeded")
	}
	b := newBot(t, nil)
	ts = emuFor(t, b, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ts.Deliver(ctx, ts.TextMessage("lisi", "x", 1, time.Now())); !errors.Is(err, context.Canceled) {
		t.Errorf("Deliver with a cancelled context = %v", err)
	}
	if _, err := ts.Deliver(t.Context(), []byte("not xml")); err == nil {
		t.Error("Deliver accepted a non-XML callback")
	}
}

func TestDeliverPassiveReply(t *testing.T) {
	reply := `<xml><ToUserName><![CDATA[lisi]]></ToUserName><FromUserName><![CDATA[` + testCorpID +
		`]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[pong]]></Content></xml>`
	var cr *wecom.Crypter
	b := newBot(t, func(w http.ResponseWriter, r *http.Request, n int, plain []byte) {
		if n == 2 {
			io.WriteString(w, "success") // not a reply WeCom understands
			return
		}
		q := r.URL.Query()
		out, err := cr.EncryptReply([]byte(reply), q.Get("timestamp"), q.Get("nonce"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(out)
	})
	cr = b.cr
	ts := emuFor(t, b, nil)
	res, err := ts.Deliver(t.Context(), ts.TextMessage("lisi", "ping", 1, time.Now()))
	if err != nil || res.Reply != reply {
		t.Errorf("Deliver = %+v, %v; want the decrypted reply %q", res, err, reply)
	}
	res, err = ts.Deliver(t.Context(), ts.TextMessage("lisi", "ping", 2, time.Now()))
	if err != nil || res.Reply != "" || res.ReplyError == "" || res.Body != "success" {
		t.Errorf("Deliver = %+v, %v; want ReplyError for a plaintext answer", res, err)
	}
}

func TestVerifyURL(t *testing.T) {
	b := newBot(t, nil)
	ts := emuFor(t, b, nil)
	echo, got, err := ts.VerifyURL(t.Context())
	if err != nil || echo != got || len(echo) != 19 {
		t.Errorf("VerifyURL = %q, %q, %v; want the 19-digit echo answered back", echo, got, err)
	}

	quoting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		echo, err := b.cr.VerifyURL(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		io.WriteString(w, strconv.Quote(string(echo))+"\n")
	}))
	t.Cleanup(quoting.Close)
	opts := testOptions()
	opts.CallbackURL = quoting.URL
	ts = wecomtest.NewServer(t, opts)
	echo, got, err = ts.VerifyURL(t.Context())
	if err == nil || got != strconv.Quote(echo)+"\n" {
		t.Errorf("VerifyURL against a quoting bot = %q, %q, %v; want an error and the quoted answer", echo, got, err)
	}
}

func TestEventXML(t *testing.T) {
	ts := wecomtest.NewServer(t, testOptions())
	sec := ts.Event("sys", "security", map[string]string{"ChangeType": "change_domain_ip"})
	in := parse(t, sec)
	if in.FromUserName != "sys" || in.MsgType != "event" || in.Event != "security" || in.ChangeType != "change_domain_ip" || in.AgentID != nil {
		t.Errorf("security event %s parsed as %+v; want FromUserName sys and no AgentID", sec, in)
	}
	card := ts.TemplateCardEvent("zhangsan", emulator.CardEvent{EventKey: "approve", TaskID: "apply_1",
		CardType: "vote_interaction", ResponseCode: "rc1", SelectedItems: []emulator.SelectedItem{
			{QuestionKey: "q1", OptionIDs: []string{"o1", "o2"}}}})
	in = parse(t, card)
	if in.Event != "template_card_event" || in.EventKey != "approve" || in.TaskID != "apply_1" || in.CardType != "vote_interaction" ||
		in.ResponseCode != "rc1" || len(in.SelectedItems) != 1 || in.SelectedItems[0].QuestionKey != "q1" ||
		strings.Join(in.SelectedItems[0].OptionIDs, ",") != "o1,o2" || in.AgentID == nil {
		t.Errorf("card event %s parsed as %+v", card, in)
	}
	app := ts.Event("wangwu", "submit_vip_account_approval", map[string]string{"ApplyId": "A1", "BusinessType": "2", "ApplyReason": "写文档"})
	if !bytes.Contains(app, []byte("<BusinessType>2</BusinessType>")) {
		t.Errorf("numbers are written without CDATA as WeCom does: %s", app)
	}
	if in := parse(t, app); in.BusinessType != 2 || in.ApplyID != "A1" || in.ApplyReason != "写文档" {
		t.Errorf("submit_vip_account_approval parsed as %+v", in)
	}
	defer func() {
		if recover() == nil {
			t.Error("Event with an invalid element name did not panic")
		}
	}()
	ts.Event("lisi", "click", map[string]string{"Bad Name": "x"})
}
