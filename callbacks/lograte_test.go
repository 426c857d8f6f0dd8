package callbacks_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/wecom"
)

// A forged flood once wrote 3.8 MB of WARN lines. Rejections are logged at most once per reason per interval,
// and the ones left out are counted, so nothing is hidden and the log stays small.
func TestPost_rejectionLogIsRateLimited(t *testing.T) {
	t.Parallel()
	d, _ := openDB(t)
	c, _ := wecom.NewCrypter(token, aesKey, corpID)
	var logs syncBuffer
	const interval = 2 * time.Second
	srv := httptest.NewServer(&callbacks.Handler{Crypter: c, Inbox: d, LogInterval: interval,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer srv.Close()
	good, _, err := c.EncryptCallback([]byte(text("1", "x")), "1476422779", "n", "1")
	if err != nil {
		t.Fatal(err)
	}
	forged := []struct {
		sig  string
		body []byte
	}{
		{strings.Repeat("0", 40), good}, // bad signature
		{c.Signature("1476422779", "n", "!!!"), []byte("<xml><Encrypt>!!!</Encrypt></xml>")}, // corrupt body
	}
	const perReason = 1000
	start := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < perReason*len(forged); i += 8 {
				f := forged[i%len(forged)]
				q := url.Values{"msg_signature": {f.sig}, "timestamp": {"1476422779"}, "nonce": {"n"}}
				resp, err := http.Post(srv.URL+"/?"+q.Encode(), "text/xml", bytes.NewReader(f.body))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					t.Errorf("forged request: HTTP %d; want 4xx", resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	time.Sleep(interval + 500*time.Millisecond) // the last summaries are written when their interval ends
	out := logs.String()
	lines := strings.Count(out, "\n")
	windows := int(took/interval) + 2
	if max := 2 * 2 * windows; lines > max {
		t.Fatalf("%d log lines for %d forged requests in %v; want at most %d:\n%s", lines, perReason*len(forged), took, max, out)
	}
	// Every rejection is accounted for: logged, or counted in a summary.
	summary := regexp.MustCompile(`and (\d+) more like it in the last ` + regexp.QuoteMeta(interval.String()))
	for _, reason := range []string{"signature mismatch", "cannot decrypt"} {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if !strings.Contains(l, fmt.Sprintf("reason=%q", reason)) && !strings.Contains(l, "reason=\""+reason+":") {
				continue
			}
			if m := summary.FindStringSubmatch(l); m != nil {
				k, _ := strconv.Atoi(m[1])
				n += k
			} else {
				n++
			}
		}
		if n != perReason {
			t.Errorf("%q: the log accounts for %d rejections; want %d:\n%s", reason, n, perReason, out)
		}
	}
	if !summary.MatchString(out) {
		t.Errorf("no summary line with the suppressed count:\n%s", out)
	}
	// A signature the bot cannot verify says which settings to compare with WeCom's.
	if !strings.Contains(out, "check callback.token and callback.encoding_aes_key against the app's 接收消息 → 设置API接收") {
		t.Errorf("no hint on where to check the callback settings:\n%s", out)
	}
}
