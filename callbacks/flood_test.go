package callbacks_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// BenchmarkForgedFlood sends forged callbacks — a bad signature on bodies of every size up to the MaxBody limit,
// 64 connections — at the real handler and reports the process's peak RSS (VmHWM): memory must stay bounded
// however many arrive, and none is stored.
//
//	go test ./callbacks -run '^$' -bench ForgedFlood -benchtime 20000x
func BenchmarkForgedFlood(b *testing.B) {
	c, err := wecom.NewCrypter(token, aesKey, corpID)
	if err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(filepath.Join(b.TempDir(), "bot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	h := &callbacks.Handler{Crypter: c, Inbox: d, LogInterval: time.Minute}
	srv := httptest.NewServer(h)
	defer srv.Close()
	sizes := []int{600, 16 << 10, 256 << 10, callbacks.MaxBody - 1024}
	bodies := make([][]byte, len(sizes))
	for i, n := range sizes {
		bodies[i] = []byte("<xml><Encrypt><![CDATA[" + strings.Repeat("A", n) + "]]></Encrypt></xml>")
	}
	tr := &http.Transport{MaxIdleConnsPerHost: loadConns, MaxConnsPerHost: loadConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < loadConns; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				resp, err := client.Post(srv.URL+"/?msg_signature=forged&timestamp="+strconv.FormatInt(time.Now().Unix(), 10)+"&nonce=n",
					"text/xml", bytes.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if counts, _ := d.InboxCounts(b.Context()); len(counts) != 0 {
		b.Fatalf("a forged callback was stored: %v", counts)
	}
	if mb, ok := peakRSSMB(); ok {
		b.ReportMetric(mb, "peak-RSS-MB")
	}
}

// peakRSSMB reads the process's peak resident set (VmHWM) on Linux.
func peakRSSMB() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}
