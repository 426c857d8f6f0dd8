package callbacks_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// flakyInbox fails the first fail calls as a database that cannot take a write would, then stores in the
// real database.
type flakyInbox struct {
	db    *db.DB
	fail  int32
	calls atomic.Int32
}

func (f *flakyInbox) Enqueue(ctx context.Context, it *db.InboxItem) (bool, error) {
	if f.calls.Add(1) <= f.fail {
		return false, errors.New("db: inbox commit: disk I/O error")
	}
	return f.db.Enqueue(ctx, it)
}

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openDB(t *testing.T) (*db.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

// postCallback posts one authentic callback and returns the response or the transport error.
func postCallback(t *testing.T, srvURL, msgID string) (*http.Response, error) {
	t.Helper()
	c, _ := wecom.NewCrypter(token, aesKey, corpID)
	body, sig, err := c.EncryptCallback([]byte(text(msgID, "x")), "1476422779", "n", "1")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(fmt.Sprintf("%s/?msg_signature=%s&timestamp=1476422779&nonce=n", srvURL, sig), "text/xml", bytes.NewReader(body))
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func TestPost_storeRetriedUntilItSucceeds(t *testing.T) {
	t.Parallel()
	d, _ := openDB(t)
	inbox := &flakyInbox{db: d, fail: 3}
	c, _ := wecom.NewCrypter(token, aesKey, corpID)
	srv := httptest.NewServer(&callbacks.Handler{Crypter: c, Inbox: inbox, EnqueueTimeout: 4 * time.Second})
	defer srv.Close()
	resp, err := postCallback(t, srv.URL, "9")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(b) != 0 {
		t.Fatalf("after 3 failed inserts: %d %q; want 200 with an empty body (the 4th insert succeeded)", resp.StatusCode, b)
	}
	if n := inbox.calls.Load(); n != 4 {
		t.Errorf("insert attempts = %d; want 4", n)
	}
	counts, err := d.InboxCounts(t.Context())
	if err != nil || counts["pending"] != 1 || len(counts) != 1 {
		t.Fatalf("inbox = %v %v; want the message stored exactly once", counts, err)
	}
}

// A callback the bot cannot store gets no answer at all: the connection is closed, which WeCom certainly
// retries (a 503 it may not, DOC/90238 vs DOC/90930), and a 200 would lose it.
func TestPost_storeFailureClosesTheConnection(t *testing.T) {
	t.Parallel()
	d, _ := openDB(t)
	inbox := &flakyInbox{db: d, fail: 1 << 30}
	c, _ := wecom.NewCrypter(token, aesKey, corpID)
	var logs syncBuffer
	const budget = time.Second
	srv := httptest.NewServer(&callbacks.Handler{Crypter: c, Inbox: inbox, EnqueueTimeout: budget,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer srv.Close()
	start := time.Now()
	resp, err := postCallback(t, srv.URL, "9")
	took := time.Since(start)
	if err == nil {
		t.Fatalf("got HTTP %d; want the connection closed with no response", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("transport error %v; want EOF or a reset", err)
	}
	if n := inbox.calls.Load(); n < 3 {
		t.Errorf("insert attempts = %d; want several, with backoff, within the budget", n)
	}
	if took < budget-100*time.Millisecond || took > budget+time.Second {
		t.Errorf("gave up after %v; want about the %v budget", took, budget)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 || !strings.Contains(logs.String(), "WeCom will retry") {
		t.Errorf("logged %d errors; want exactly one saying WeCom will retry:\n%s", n, logs.String())
	}
	if counts, _ := d.InboxCounts(t.Context()); len(counts) != 0 {
		t.Errorf("inbox = %v; want nothing stored", counts)
	}
}

// The same through a real database file whose write lock another connection holds (as a long sqlite3 session
// or a stuck process would): the insert cannot commit within the budget.
func TestPost_lockedDatabaseClosesTheConnection(t *testing.T) {
	t.Parallel()
	d, path := openDB(t)
	other, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := other.Begin() // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	// Released before d closes (cleanups run last-in first-out), so the committer's pending insert can finish.
	t.Cleanup(func() { tx.Rollback(); other.Close() })
	c, _ := wecom.NewCrypter(token, aesKey, corpID)
	const budget = time.Second
	srv := httptest.NewServer(&callbacks.Handler{Crypter: c, Inbox: d, EnqueueTimeout: budget})
	defer srv.Close()
	start := time.Now()
	resp, err := postCallback(t, srv.URL, "10")
	if err == nil {
		t.Fatalf("got HTTP %d from a locked database; want the connection closed with no response", resp.StatusCode)
	}
	if took := time.Since(start); took > budget+time.Second {
		t.Errorf("gave up after %v; want about the %v budget", took, budget)
	}
}
