package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// demoAdmin is the member the console speaks as at first: an admin in the demo configuration.
const demoAdmin = "zhangsan"

// runDemo is `bot demo`: the bot and the WeCom emulator in one process, a temporary database, the sample
// organisation, and a console. Each line typed is delivered to the bot as an encrypted callback from the
// current member; the bot's replies are printed as that member would read them.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	verbose := fs.Bool("v", false, "show the bot's log")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the replies to one line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "wecombot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	botLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	emuLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		botLn.Close()
		return err
	}
	cfg, err := demoConfig(botLn.Addr().String(), "http://"+emuLn.Addr().String(), filepath.Join(dir, "demo.db"))
	if err != nil {
		return err
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	emu := wecomtest.New(wecomtest.Options{
		CorpID: cfg.WeCom.CorpID, AgentID: cfg.WeCom.AgentID, Secret: cfg.WeCom.Secret,
		CallbackURL: cfg.CallbackURL(), Token: cfg.Callback.Token, EncodingAESKey: cfg.Callback.EncodingAESKey,
		Logger: log.With("component", "emulator"),
	})
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	// The demo answers one line at a time; poll fast so replies show at once.
	a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	emuDone := make(chan error, 1)
	go func() { emuDone <- wecomtest.Serve(runCtx, emuLn, emu) }()
	botDone := make(chan error, 1)
	go func() { botDone <- a.run(runCtx, botLn) }()

	con := &console{e: e, emu: emu, app: a, user: demoAdmin, wait: *wait, interactive: isTerminal(e.stdin)}
	err = con.loop(runCtx)
	stop()
	if berr := <-botDone; berr != nil && err == nil {
		err = berr
	}
	<-emuDone
	return err
}

// demoConfig is the configuration the demo runs with: the emulator's sample corp, and roles over the sample
// organisation's members.
func demoConfig(botAddr, apiBase, dbPath string) (*config.Config, error) {
	doc := fmt.Sprintf(`
[wecom]
corp_id = "ww0000000000emul"
agent_id = 1000002
secret = "emulator-secret"
api_base = %q
[callback]
listen = %q
token = "emulatortoken"
encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
[store]
path = %q
[access]
admins = [%q]
[access.roles.security]
members = ["tag:安全管理员", "dept:3"]
permissions = ["devices.*", "oplog.*", "domainip.*", "whois.*", "alerts.*", "audit.read"]
[access.roles.approvers]
members = ["tag:审批人"]
permissions = ["order.*", "vip.read"]
[access.roles.hr]
members = ["dept:4"]
permissions = ["staff.*"]
`, apiBase, botAddr, dbPath, demoAdmin)
	return config.Parse(doc, func(string) (string, bool) { return "", false })
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// console reads lines and shows replies.
type console struct {
	e           *env
	emu         *wecomtest.Server
	app         *app
	user        string
	wait        time.Duration
	interactive bool
	msgID       atomic.Uint64
	shown       int // messages already shown
}

func (c *console) loop(ctx context.Context) error {
	c.msgID.Store(uint64(time.Now().UnixNano()))
	if c.interactive {
		fmt.Fprintf(c.e.stdout, "WeCom chat-ops bot demo: you are %s (an admin) in the sample organisation.\n"+
			"Type commands such as /help. :as USERID switches member (try lisi, wangwu, zhaoliu); :quit leaves.\n", c.user)
	}
	sc := bufio.NewScanner(c.e.stdin)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for {
		if c.interactive {
			fmt.Fprintf(c.e.stdout, "%s> ", c.user)
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case line == ":quit" || line == ":q":
			return nil
		case strings.HasPrefix(line, ":as"):
			who := strings.TrimSpace(strings.TrimPrefix(line, ":as"))
			if who == "" {
				fmt.Fprintln(c.e.stdout, "usage: :as USERID")
				continue
			}
			c.user = who
			fmt.Fprintf(c.e.stdout, "(now speaking as %s)\n", who)
			continue
		case strings.HasPrefix(line, ":"):
			fmt.Fprintln(c.e.stdout, "console commands: :as USERID, :quit")
			continue
		}
		if !c.interactive {
			fmt.Fprintf(c.e.stdout, "%s> %s\n", c.user, line)
		}
		if err := c.send(ctx, line); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fmt.Fprintf(c.e.stdout, "(could not deliver: %v)\n", err)
		}
	}
	return sc.Err()
}

// send delivers a line as the current member and prints what the bot sends back.
func (c *console) send(ctx context.Context, line string) error {
	id := c.msgID.Add(1)
	res, err := c.emu.Deliver(ctx, c.emu.TextMessage(c.user, line, id, time.Now()))
	if err != nil {
		return err
	}
	if res.Status != 200 {
		return fmt.Errorf("bot answered HTTP %d: %s", res.Status, strings.TrimSpace(res.Body))
	}
	key := fmt.Sprintf("msg:%d", id)
	deadline := time.Now().Add(c.wait)
	for {
		if c.settled(ctx, key) {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(c.e.stdout, "(no reply yet; it may be held back by WeCom's 30-messages-a-minute limit)")
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	c.show()
	return nil
}

// settled reports whether the callback was handled and everything it queued was sent.
func (c *console) settled(ctx context.Context, key string) bool {
	_, state, err := c.app.db.GetInbox(ctx, key)
	if err != nil || (state != "done" && state != "failed") {
		return false
	}
	counts, err := c.app.db.OutboxCounts(ctx)
	return err == nil && counts["pending"] == 0 && counts["sending"] == 0
}

// show prints messages not shown yet: the current member's as plain replies, others' with their name.
func (c *console) show() {
	all := c.emu.Messages("")
	start := c.shown
	for _, m := range all[min(start, len(all)):] {
		text := m.Content
		if text == "" {
			text = m.Title
		}
		prefix := ""
		if len(m.To) != 1 || m.To[0] != c.user {
			prefix = "→ " + strings.Join(m.To, ", ") + ": "
		}
		if m.Dropped {
			prefix = "(dropped by WeCom's rate limit) " + prefix
		}
		fmt.Fprintln(c.e.stdout, prefix+readable(text))
	}
	c.shown = len(all)
}

var (
	fontTag  = regexp.MustCompile(`</?font[^>]*>`)
	boldMark = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// readable shows WeCom markdown roughly as the WeCom app renders it, in a terminal: colour tags, bold markers
// and zero-width spaces removed, everything else as is.
func readable(s string) string {
	s = fontTag.ReplaceAllString(s, "")
	s = boldMark.ReplaceAllString(s, "$1")
	// bot/replies breaks would-be markup in literal text with zero-width spaces; a terminal may show them.
	return strings.ReplaceAll(s, "\u200b", "")
}
