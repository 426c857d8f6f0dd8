package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

const (
	token  = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
	aesKey = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
	corpID = "ww1436e0e65a779aee"
	conns  = 64
)

// peer is a WeCom callback handler as bots on silenceper/wechat write it: verify, decrypt, parse, answer at
// once; nothing is stored, so a crash after the 200 loses the message.
func peer() http.Handler {
	type envelope struct {
		ToUserName string `xml:"ToUserName"`
		Encrypt    string `xml:"Encrypt"`
		AgentID    string `xml:"AgentID"`
	}
	type message struct {
		FromUserName string `xml:"FromUserName"`
		MsgType      string `xml:"MsgType"`
		Content      string `xml:"Content"`
		MsgID        int64  `xml:"MsgId"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		var env envelope
		if err := xml.Unmarshal(body, &env); err != nil {
			http.Error(w, "xml", http.StatusBadRequest)
			return
		}
		if util.Signature(token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt) != q.Get("msg_signature") {
			http.Error(w, "signature", http.StatusForbidden)
			return
		}
		_, plain, err := util.DecryptMsg(corpID, env.Encrypt, aesKey)
		if err != nil {
			http.Error(w, "decrypt", http.StatusBadRequest)
			return
		}
		var m message
		if err := xml.Unmarshal(plain, &m); err != nil || m.MsgID == 0 {
			http.Error(w, "message", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// BenchmarkPeers serves the same encrypted callbacks, at 64 connections over loopback, with a bare handler
// (200 only: the machine's ceiling), the peer (silenceper/wechat's crypto, no storage) and ours (verify,
// decrypt, parse, group-committed durable insert under synchronous=FULL), one after the other in one run.
func BenchmarkPeers(b *testing.B) {
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
	b.Run("peer-silenceper", func(b *testing.B) { load(b, c, peer()) })
	b.Run("wecombot-durable", func(b *testing.B) {
		d, err := db.Open(filepath.Join(b.TempDir(), "bot.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		load(b, c, &callbacks.Handler{Crypter: c, Inbox: d})
		if counts, _ := d.InboxCounts(b.Context()); counts["pending"] != b.N {
			b.Fatalf("stored %v; want %d pending", counts, b.N)
		}
	})
}

func load(b *testing.B, c *wecom.Crypter, h http.Handler) {
	type req struct {
		query string
		body  []byte
	}
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
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lat := make([]time.Duration, b.N)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range conns {
		wg.Go(func() {
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
		})
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
