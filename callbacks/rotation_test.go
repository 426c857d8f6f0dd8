package callbacks_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// TestRotation_previousKeyAcceptedDuringOverlap: after the callback token and EncodingAESKey are rotated, a
// callback still signed and encrypted with the old pair is accepted until the overlap ends, then refused;
// the new pair works throughout; a pair that was never configured never does.
func TestRotation_previousKeyAcceptedDuringOverlap(t *testing.T) {
	t.Parallel()
	newC := func(tok, key string) *wecom.Crypter {
		c, err := wecom.NewCrypter(tok, key, corpID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	oldC := newC(token, aesKey)
	curC := newC("NewToken2026", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
	strangerC := newC("Stranger0000", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	now := time.Unix(1476422779, 0)
	h := &callbacks.Handler{Crypter: curC, Previous: oldC, PreviousUntil: now.Add(time.Hour), Inbox: d,
		Now: func() time.Time { return now }}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	post := func(c *wecom.Crypter, msgID string) int {
		t.Helper()
		body, sig, err := c.EncryptCallback([]byte(text(msgID, "hi")), "1476422779", "nonce1", "1000002")
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {"1476422779"}, "nonce": {"nonce1"}}
		resp, err := http.Post(srv.URL+"/?"+q.Encode(), "text/xml", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(curC, "1"); c != 200 {
		t.Fatalf("new pair: %d", c)
	}
	if c := post(oldC, "2"); c != 200 {
		t.Fatalf("old pair during the overlap: %d; want 200", c)
	}
	if c := post(strangerC, "3"); c != http.StatusForbidden {
		t.Fatalf("a pair never configured: %d; want 403", c)
	}
	now = now.Add(time.Hour) // the overlap is over
	if c := post(oldC, "4"); c != http.StatusForbidden {
		t.Fatalf("old pair after the overlap: %d; want 403", c)
	}
	if c := post(curC, "5"); c != 200 {
		t.Fatalf("new pair after the overlap: %d", c)
	}
	for _, key := range []string{"msg:1", "msg:2", "msg:5"} {
		if _, _, err := d.GetInbox(t.Context(), key); err != nil {
			t.Errorf("%s not stored: %v", key, err)
		}
	}
	counts, _ := d.InboxCounts(t.Context())
	if n := counts["pending"]; n != 3 {
		t.Fatalf("stored %d; want the 3 accepted", n)
	}
}
