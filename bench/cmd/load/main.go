// Command load sends encrypted callbacks to a live `wecombot serve`, the way WeCom delivers them, and prints the
// acknowledged callbacks per second and the ack latency percentiles.
//
//	cd bench && go run ./cmd/load --config ../config.toml --from zhangsan,lisi -n 5000 -c 64
//
// It reads the callback's listen address, path, Token and EncodingAESKey and the corp and agent ids from the
// bot's config. Every callback is a text message the bot stores, handles and answers: against a real WeCom app
// the members named in --from get the replies (the bot keeps each under 30 a minute, so most are held back);
// point it at the emulator's setup (config.toml as shipped, with `wecombot emulator` running) unless that is meant.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom"
)

func main() {
	cfgPath := flag.String("config", "config.toml", "the bot's config")
	target := flag.String("url", "", "callback URL (default http://<callback.listen><callback.path>)")
	from := flag.String("from", "", "comma-separated userids the callbacks come from (required)")
	text := flag.String("text", "/ping", "message text")
	n := flag.Int("n", 2000, "callbacks to send")
	conns := flag.Int("c", 64, "concurrent connections")
	flag.Parse()
	if err := run(*cfgPath, *target, *from, *text, *n, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(cfgPath, target, from, text string, n, conns int) error {
	if from == "" {
		return fmt.Errorf("--from is required: the members the callbacks come from (they get the replies)")
	}
	users := strings.Split(from, ",")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	if target == "" {
		host, port, _ := strings.Cut(cfg.Callback.Listen, ":")
		if host == "" || host == "0.0.0.0" {
			host = "127.0.0.1"
		}
		target = "http://" + host + ":" + port + cfg.Callback.Path
	}
	c, err := wecom.NewCrypter(cfg.Callback.Token, cfg.Callback.EncodingAESKey, cfg.WeCom.CorpID)
	if err != nil {
		return err
	}
	type req struct {
		query string
		body  []byte
	}
	reqs := make([]req, n)
	now := time.Now()
	ts := fmt.Sprint(now.Unix())
	agent := fmt.Sprint(cfg.WeCom.AgentID)
	base := uint64(now.UnixNano()/1000) * 1000 // distinct MsgIds per run
	for i := range reqs {
		plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId><AgentID>%s</AgentID></xml>`,
			cfg.WeCom.CorpID, users[i%len(users)], ts, text, base+uint64(i), agent)
		body, sig, err := c.EncryptCallback([]byte(plain), ts, "load", agent)
		if err != nil {
			return err
		}
		reqs[i] = req{query: url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"load"}}.Encode(), body: body}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(target+"?"+reqs[i].query, "text/xml", bytes.NewReader(reqs[i].body))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return fmt.Errorf("no callback acknowledged by %s (%d failed)", target, failed.Load())
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Printf("%s: %d acknowledged, %d failed, in %v over %d connections\n", target, len(lat), failed.Load(), elapsed.Round(time.Millisecond), conns)
	fmt.Printf("throughput %.0f callbacks/s\n", float64(len(lat))/elapsed.Seconds())
	fmt.Printf("ack latency p50 %v  p90 %v  p99 %v  max %v\n", pct(0.5).Round(10*time.Microsecond), pct(0.9).Round(10*time.Microsecond),
		pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	return nil
}
