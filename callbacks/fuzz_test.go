package callbacks_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// FuzzCallback drives the whole handler with authentic (correctly encrypted and signed) callbacks whose
// plaintext is arbitrary, and with arbitrary envelopes: it must answer 200 or a 4xx, never panic or 5xx.
func FuzzCallback(f *testing.F) {
	f.Add([]byte(text("1", "hello")), []byte(nil))
	f.Add([]byte(`<xml><FromUserName>sys</FromUserName><MsgType>event</MsgType><Event>security</Event><ChangeType>change_domain_ip</ChangeType></xml>`), []byte(nil))
	f.Add([]byte(`<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>template_card_event</Event><SelectedItems><SelectedItem><OpitonIds><OpitonId>a</OpitonId></OpitonIds></SelectedItem></SelectedItems></xml>`), []byte(nil))
	f.Add([]byte("garbage"), []byte("<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>"))
	c, err := wecom.NewCrypter(token, aesKey, corpID)
	if err != nil {
		f.Fatal(err)
	}
	d, err := db.Open(filepath.Join(f.TempDir(), "bot.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer d.Close()
	h := &callbacks.Handler{Crypter: c, Inbox: d}
	f.Fuzz(func(t *testing.T, plain, envelope []byte) {
		const ts, nonce = "1476422779", "n"
		body, sig := envelope, ""
		if envelope == nil {
			var err error
			if body, sig, err = c.EncryptCallback(plain, ts, nonce, "1"); err != nil {
				t.Fatal(err)
			}
		} else if env, err := wecom.ParseEnvelope(envelope); err == nil {
			sig = c.Signature(ts, nonce, env.Encrypt)
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		req := httptest.NewRequest("POST", "/?"+q.Encode(), bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d for plain %q envelope %q", rec.Code, plain, envelope)
		}
		if envelope == nil && rec.Code != http.StatusOK {
			t.Fatalf("authentic callback refused with %d: %s", rec.Code, rec.Body)
		}
	})
}
