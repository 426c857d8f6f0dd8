package callbacks_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Vector V2 of wecom-protocol.md §1.1.
const (
	token  = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
	aesKey = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
	corpID = "ww1436e0e65a779aee"
)

type fixture struct {
	srv      *httptest.Server
	db       *db.DB
	crypter  *wecom.Crypter
	now      time.Time
	notified atomic.Int32
}

func newFixture(t *testing.T, skew time.Duration) *fixture {
	t.Helper()
	c, err := wecom.NewCrypter(token, aesKey, corpID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	f := &fixture{db: d, crypter: c, now: time.Unix(1476422779, 0)}
	h := &callbacks.Handler{Crypter: c, Inbox: d, MaxSkew: skew, Now: func() time.Time { return f.now },
		Notify: func() { f.notified.Add(1) }}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// post sends an encrypted callback built from plain XML, like WeCom does.
func (f *fixture) post(t *testing.T, plain, ts string) *http.Response {
	t.Helper()
	body, sig, err := f.crypter.EncryptCallback([]byte(plain), ts, "nonce1", "1000002")
	if err != nil {
		t.Fatal(err)
	}
	return f.postRaw(t, body, sig, ts)
}

func (f *fixture) postRaw(t *testing.T, body []byte, sig, ts string) *http.Response {
	t.Helper()
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"nonce1"}}
	resp, err := http.Post(f.srv.URL+"/?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func text(msgID, content string) string {
	return `<xml><ToUserName><![CDATA[` + corpID + `]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1476422779</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[` + content + `]]></Content><MsgId>` + msgID + `</MsgId><AgentID>1000002</AgentID></xml>`
}

func (f *fixture) stored(t *testing.T) int {
	t.Helper()
	counts, err := f.db.InboxCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func TestVerifyURL_V2a(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	// The echostr as WeCom sends it: URL-encoded.
	q := url.Values{"msg_signature": {"012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"}, "timestamp": {"1476416373"},
		"nonce": {"47744683"}, "echostr": {"fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="}}
	for name, raw := range map[string]string{
		"encoded":   q.Encode(),
		"plus kept": strings.ReplaceAll(q.Encode(), "%2B", "+"), // '+' left unescaped decodes as space
	} {
		resp, err := http.Get(f.srv.URL + "/?" + raw)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "1288432023552776189" {
			t.Errorf("%s: GET = %d %q; want 200 and exactly the echostr plaintext", name, resp.StatusCode, b)
		}
	}
}

func TestPost_storesOnceAndAcks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10*time.Minute)
	for i := 0; i < 4; i++ { // WeCom's first delivery and 3 retries
		resp := f.post(t, text("1456453720", "你好"), "1476422779")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || len(b) != 0 {
			t.Fatalf("delivery %d: %d %q; want 200 with an empty body", i+1, resp.StatusCode, b)
		}
	}
	if n := f.stored(t); n != 1 {
		t.Fatalf("stored %d rows; want 1", n)
	}
	if n := f.notified.Load(); n != 1 {
		t.Fatalf("workers woken %d times; want 1 (only for the new row)", n)
	}
	it, state, err := f.db.GetInbox(t.Context(), "msg:1456453720")
	if err != nil || state != "pending" || it.From != "lisi" || it.Kind != "text" || !bytes.Contains(it.Payload, []byte("你好")) {
		t.Fatalf("row = %+v %q %v", it, state, err)
	}
}

func TestPost_rejections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10*time.Minute)
	good, sig, err := f.crypter.EncryptCallback([]byte(text("1", "x")), "1476422779", "nonce1", "1")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := wecom.NewCrypter(token, aesKey, "wwSOMEONEELSE")
	foreign, fsig, _ := other.EncryptCallback([]byte(text("2", "x")), "1476422779", "nonce1", "1")
	tests := []struct {
		name   string
		body   []byte
		sig    string
		ts     string
		status int
	}{
		{"wrong signature", good, strings.Repeat("0", 40), "1476422779", 403},
		{"signature for another timestamp", good, sig, "1476422780", 403},
		{"stale timestamp", good, sig, "1476400000", 403},
		{"corrupt body", []byte("<xml><Encrypt>"), sig, "1476422779", 400},
		{"not base64", []byte("<xml><Encrypt>!!!</Encrypt></xml>"), f.crypter.Signature("1476422779", "nonce1", "!!!"), "1476422779", 400},
		{"another corp's message", foreign, fsig, "1476422779", 400},
		{"too large", bytes.Repeat([]byte("a"), callbacks.MaxBody+1), sig, "1476422779", 413},
	}
	for _, tt := range tests {
		resp := f.postRaw(t, tt.body, tt.sig, tt.ts)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d; want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
	if n := f.stored(t); n != 0 {
		t.Fatalf("stored %d rows after rejected callbacks; want 0", n)
	}
	// Missing parameters and other methods.
	resp, _ := http.Post(f.srv.URL+"/", "text/xml", bytes.NewReader(good))
	if resp.StatusCode != 400 {
		t.Errorf("no query: %d; want 400", resp.StatusCode)
	}
	req, _ := http.NewRequest("PUT", f.srv.URL+"/", nil)
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != 405 {
		t.Errorf("PUT: %d; want 405", resp.StatusCode)
	}
}

func TestPost_skewDisabled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	if resp := f.post(t, text("7", "old"), "1000000000"); resp.StatusCode != 200 {
		t.Fatalf("max_skew 0 should accept any timestamp; got %d", resp.StatusCode)
	}
}

func TestPost_unknownAndUnparsableKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	if resp := f.post(t, `<xml><ToUserName>c</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1</CreateTime><MsgType>hologram</MsgType><MsgId>5</MsgId></xml>`, "1476422779"); resp.StatusCode != 200 {
		t.Fatalf("unknown type: %d; want 200", resp.StatusCode)
	}
	if resp := f.post(t, `not a wecom message`, "1476422779"); resp.StatusCode != 200 {
		t.Fatalf("authentic but unparsable: %d; want 200 (stored, not retried forever)", resp.StatusCode)
	}
	if n := f.stored(t); n != 2 {
		t.Fatalf("stored %d; want both kept", n)
	}
}
