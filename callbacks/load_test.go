package callbacks_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// BenchmarkCallbackLoad measures acknowledged callbacks per second and ack latency at 64 concurrent
// connections over loopback: "inbox" is the real handler (signature, decrypt, parse, group-committed durable
// insert under synchronous=FULL); "bare" is a net/http handler that only answers 200, the ceiling for this
// machine. Both receive the same encrypted requests, so their ratio is the cost of durability and crypto.
// Two more take the cost apart: "nostore" is the real handler acknowledging without storing (the cost of
// the crypto and parsing alone), and "fsynclog" the real handler appending each callback to a plain file,
// group-committed with one fdatasync per batch exactly as the inbox commits — the least any durable store
// can do on this disk, so "inbox" against it is what SQLite costs beyond the fsync itself.
//
//	go test ./callbacks -run '^$' -bench CallbackLoad -benchtime 20000x
func BenchmarkCallbackLoad(b *testing.B) {
	c, err := wecom.NewCrypter(token, aesKey, corpID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bare", func(b *testing.B) {
		load(b, c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusOK)
		}))
	})
	b.Run("nostore", func(b *testing.B) {
		load(b, c, &callbacks.Handler{Crypter: c, Inbox: nopInbox{}})
	})
	b.Run("fsynclog", func(b *testing.B) {
		l, err := newFsyncLog(filepath.Join(b.TempDir(), "callbacks.log"))
		if err != nil {
			b.Fatal(err)
		}
		defer l.close()
		load(b, c, &callbacks.Handler{Crypter: c, Inbox: l})
	})
	b.Run("inbox", func(b *testing.B) {
		d, err := db.Open(filepath.Join(b.TempDir(), "bot.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		load(b, c, &callbacks.Handler{Crypter: c, Inbox: d})
		counts, _ := d.InboxCounts(b.Context())
		if counts["pending"] != b.N {
			b.Fatalf("stored %v; want %d pending", counts, b.N)
		}
	})
}

const loadConns = 64

type req struct {
	query string
	body  []byte
}

func load(b *testing.B, c *wecom.Crypter, h http.Handler) {
	// Distinct messages of a realistic size (~600 bytes encrypted), prepared outside the timer.
	reqs := make([]req, b.N)
	ts := fmt.Sprint(time.Now().Unix())
	for i := range reqs {
		plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[user%d]]></FromUserName><CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/oplog member --user lisi --since 3d #%d]]></Content><MsgId>%d</MsgId><AgentID>1000002</AgentID></xml>`,
			corpID, i%500, ts, i, 7_000_000_000+i)
		body, sig, err := c.EncryptCallback([]byte(plain), ts, "nonce", "1000002")
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = req{query: url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"nonce"}}.Encode(), body: body}
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: loadConns, MaxConnsPerHost: loadConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for g := 0; g < loadConns; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(srv.URL+"/?"+reqs[i].query, "text/xml", bytes.NewReader(reqs[i].body))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)]) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// nopInbox acknowledges without storing.
type nopInbox struct{}

func (nopInbox) Enqueue(context.Context, *db.InboxItem) (bool, error) { return true, nil }

// fsyncLog is the least durable store: callbacks appended to a file, one write and one fdatasync for all
// those waiting (a group commit, as the inbox's writer does), each caller returning once its batch is on disk.
type fsyncLog struct {
	f    *os.File
	reqs chan *logReq
	done chan struct{}
}

type logReq struct {
	rec  []byte
	err  error
	done chan struct{}
}

func newFsyncLog(path string) (*fsyncLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	l := &fsyncLog{f: f, reqs: make(chan *logReq, 512), done: make(chan struct{})}
	go l.loop()
	return l, nil
}

func (l *fsyncLog) loop() {
	defer close(l.done)
	var batch []*logReq
	var buf []byte
	for r := range l.reqs {
		batch, buf = append(batch[:0], r), append(buf[:0], r.rec...)
	fill:
		for len(batch) < 512 {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break fill
				}
				batch, buf = append(batch, r), append(buf, r.rec...)
			default:
				break fill
			}
		}
		_, err := l.f.Write(buf)
		if err == nil {
			err = l.f.Sync()
		}
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}

func (l *fsyncLog) Enqueue(ctx context.Context, it *db.InboxItem) (bool, error) {
	rec := binary.AppendUvarint(nil, uint64(len(it.Key)+len(it.Payload)))
	r := &logReq{rec: append(append(rec, it.Key...), it.Payload...), done: make(chan struct{})}
	l.reqs <- r
	<-r.done
	return true, r.err
}

func (l *fsyncLog) close() {
	close(l.reqs)
	<-l.done
	l.f.Close()
}
