package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// demoAdmin is the member the console speaks as at first: an admin in sampleAccessTOML.
const demoAdmin = "zhangsan"

// sampleAccessTOML gives roles over the emulator's sample organisation: zhangsan is an admin; the 安全管理员
// tag (zhangsan, wujiu) and department 3 are security; the 审批人 tag (zhangsan, zhaoliu) approves
// applications; department 4 (zhaoliu) is HR. lisi, wangwu and sunqi hold no role. The demo and the tests use it.
const sampleAccessTOML = `[access]
admins = ["zhangsan"]
[access.roles.security]
members = ["tag:安全管理员", "dept:3"]
permissions = ["devices.*", "oplog.*", "domainip.*", "whois.*", "alerts.*", "audit.read", "schedule.*"]
[access.roles.approvers]
members = ["tag:审批人"]
permissions = ["order.*", "vip.read"]
[access.roles.hr]
members = ["dept:4"]
permissions = ["staff.*"]
`

// runDemo is `wecombot demo`: the bot and the WeCom emulator in one process, a temporary database, the sample
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
	// The approval page the cards link to has a loopback listener of its own, so that the links in the demo
	// open (in a browser, or with curl -L -c jar).
	pageLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		botLn.Close()
		emuLn.Close()
		return err
	}
	pageOrigin := "http://" + pageLn.Addr().String()
	cfg, err := demoConfig(botLn.Addr().String(), "http://"+emuLn.Addr().String(), pageOrigin+"/approvals/{apply_id}",
		filepath.Join(dir, "demo.db"))
	if err != nil {
		return err
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	emu := emulator.New(emulator.Options{
		CorpID: cfg.WeCom.CorpID, AgentID: cfg.WeCom.AgentID, Secret: cfg.WeCom.Secret,
		CallbackURL: cfg.CallbackURL(), Token: cfg.Callback.Token, EncodingAESKey: cfg.Callback.EncodingAESKey,
		Logger:       log.With("component", "emulator"),
		ApplyIDEpoch: demoApplyEpoch, // stable application ids, which docs/commands.md names
		// The console's sign-in comes back to the page listener: the app's trusted domain.
		RedirectDomain: pageLn.Addr().String(),
	})
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	// The demo answers one line at a time; poll fast so replies show at once.
	a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond
	con := &console{e: e, emu: emu, app: a, user: demoAdmin, wait: *wait, interactive: isTerminal(e.stdin),
		control: "http://" + emuLn.Addr().String() + "/_emulator/"}
	// There is no WeCom login page on loopback: the page listener plays it, for the console's current member.
	a.approvals.AuthorizeURL = func(redirectURI, state string) string {
		return pageOrigin + "/connect/oauth2/authorize?" + url.Values{"redirect_uri": {redirectURI}, "state": {state}}.Encode()
	}
	pageMux := http.NewServeMux()
	pageMux.Handle("GET /approvals/{id}", a.approvals)
	pageMux.HandleFunc("GET /connect/oauth2/authorize", con.authorize(pageOrigin+"/approvals/"))
	if a.console != nil {
		pageMux.Handle("/console/", a.console)
		fmt.Fprintf(e.stderr, "web console: %s/console/ (sign in on the emulator's WeCom login page as any member)\n", pageOrigin)
	}
	pageSrv := &http.Server{Handler: pageMux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 15 * time.Second}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	emuDone := make(chan error, 1)
	go func() { emuDone <- emulator.Serve(runCtx, emuLn, emu) }()
	botDone := make(chan error, 1)
	go func() { botDone <- a.run(runCtx, botLn) }()
	go pageSrv.Serve(pageLn)

	con.seed(runCtx)
	err = con.loop(runCtx)
	pageSrv.Close()
	stop()
	if berr := <-botDone; berr != nil && err == nil {
		err = berr
	}
	<-emuDone
	return err
}

// authorize stands in for WeCom's OAuth page (open.weixin.qq.com/connect/oauth2/authorize): it identifies the
// visitor as the console's current member with an emulator-issued code and sends them back, as WeCom does
// inside its app. It returns only to the demo's own approval pages.
func (c *console) authorize(pages string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		back := r.URL.Query().Get("redirect_uri")
		if !strings.HasPrefix(back, pages) || strings.ContainsAny(back, "?#") {
			http.Error(w, "the demo signs in to its own approval pages only", http.StatusBadRequest)
			return
		}
		code, err := c.emu.IssueOAuthCode(c.currentUser())
		if err != nil {
			http.Error(w, "the emulator cannot sign in "+c.currentUser()+": "+err.Error(), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, back+"?"+url.Values{"code": {code}, "state": {r.URL.Query().Get("state")}}.Encode(), http.StatusFound)
	}
}

func (c *console) currentUser() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// demoConfig is the configuration the demo runs with: the emulator's sample corp, roles over the sample
// organisation's members, and the approval page at pageURL.
func demoConfig(botAddr, apiBase, pageURL, dbPath string) (*config.Config, error) {
	doc := fmt.Sprintf(`
[wecom]
corp_id = %q
agent_id = %d
secret = %q
api_base = %q
authorize_url = %q
web_login_url = %q
[callback]
listen = %q
token = %q
encoding_aes_key = %q
[store]
path = %q
[approvals]
approvers = ["tag:审批人"]
url = %q
[console]
origin = %q
`, emulator.DefaultCorpID, emulator.DefaultAgentID, emulator.DefaultSecret, apiBase, apiBase+emulator.AuthorizePath,
		apiBase+emulator.WebLoginPath, botAddr, emulator.DefaultToken, emulator.DefaultAESKey, dbPath, pageURL, originOf(pageURL)) + sampleAccessTOML + demoAlertsTOML + demoPoliciesTOML
	return config.Parse(doc, func(string) (string, bool) { return "", false })
}

// originOf is scheme://host of u.
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Scheme + "://" + p.Host
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
	emu         *emulator.Server
	app         *app
	mu          sync.Mutex // guards user against the page listener; the console goroutine alone writes it
	user        string
	wait        time.Duration
	interactive bool
	msgID       atomic.Uint64
	control     string // the emulator's control API
	shown       int    // messages already shown
}

func (c *console) loop(ctx context.Context) error {
	c.msgID.Store(uint64(time.Now().UnixNano()))
	if c.interactive {
		fmt.Fprintf(c.e.stdout, "WeCom chat-ops bot demo: you are %s (an admin) in the sample organisation.\n"+
			"Type commands such as /help. :as USERID switches member (try lisi, wangwu, zhaoliu); :help lists the console's commands; :quit leaves.\n"+
			":apply [mail|docs|drive|meetings] REASON applies for an advanced-feature account as the current member;\n"+
			":click approve|reject APPLY_ID clicks a button on the current member's approval card;\n"+
			"/schedule add \"weekdays 09:00\" /devices pending, then :due 1, shows a schedule's run.\n", c.user)
	}
	in := bufio.NewReaderSize(c.e.stdin, 64<<10)
	for {
		if c.interactive {
			fmt.Fprintf(c.e.stdout, "%s> ", c.user)
		}
		raw, tooLong, err := readLine(in, maxConsoleLine)
		if err != nil && raw == "" {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		if tooLong {
			// A pasted page: WeCom would deliver it, and the bot would refuse it; the console says so and goes on.
			fmt.Fprintf(c.e.stdout, "(that line is over %d KB; a command is at most a few hundred bytes. Not sent.)\n", maxConsoleLine>>10)
			continue
		}
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			continue
		case line == ":quit" || line == ":q":
			return nil
		case line == ":help" || line == ":h":
			fmt.Fprintln(c.e.stdout, consoleHelp)
			continue
		case strings.HasPrefix(line, ":as"):
			who := strings.TrimSpace(strings.TrimPrefix(line, ":as"))
			if who == "" {
				fmt.Fprintln(c.e.stdout, "usage: :as USERID")
				continue
			}
			if !c.isMember(who) {
				fmt.Fprintf(c.e.stdout, "(%s is not a member of the sample organisation; try %s)\n", who, strings.Join(c.members(), ", "))
				continue
			}
			c.mu.Lock()
			c.user = who
			c.mu.Unlock()
			fmt.Fprintf(c.e.stdout, "(now speaking as %s)\n", who)
			continue
		case line == ":alert" || strings.HasPrefix(line, ":alert "):
			if !c.interactive {
				fmt.Fprintf(c.e.stdout, "%s> %s\n", c.user, line)
			}
			if err := c.alert(ctx, strings.Fields(line)[1:]); err != nil {
				fmt.Fprintf(c.e.stdout, "(%v)\n", err)
			}
			continue
		case strings.HasPrefix(line, ":tag"):
			if !c.interactive {
				fmt.Fprintf(c.e.stdout, "%s> %s\n", c.user, line)
			}
			if err := c.tag(ctx, strings.Fields(line)[1:]); err != nil {
				fmt.Fprintf(c.e.stdout, "(%v)\n", err)
			}
			continue
		case strings.HasPrefix(line, ":due"):
			if !c.interactive {
				fmt.Fprintf(c.e.stdout, "%s> %s\n", c.user, line)
			}
			if err := c.due(ctx, strings.TrimSpace(strings.TrimPrefix(line, ":due"))); err != nil {
				fmt.Fprintf(c.e.stdout, "(%v)\n", err)
			}
			continue
		case strings.HasPrefix(line, ":apply"), strings.HasPrefix(line, ":click"):
			if !c.interactive {
				fmt.Fprintf(c.e.stdout, "%s> %s\n", c.user, line)
			}
			if err := c.act(ctx, line); err != nil {
				fmt.Fprintf(c.e.stdout, "(%v)\n", err)
			}
			continue
		case strings.HasPrefix(line, ":"):
			fmt.Fprintln(c.e.stdout, consoleHelp)
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
	return nil
}

const consoleHelp = `console commands:
  :as USERID                          speak as another member of the sample organisation
  :apply [mail|docs|drive|meetings] REASON   apply for an advanced-feature account as the current member
  :alert [device|admin|file] [USERID]  write a security-log record the alert rules match (digest in ~5 s)
  :click approve|reject APPLY_ID      click a button on the current member's approval card
  :click approve|reject               click a button on the current member's latest four-eyes request card
  :tag add|remove USERID              change the 安全管理员 tag (the security role) in WeCom: change_contact
  :due SCHEDULE_ID [late]             make a schedule's next slot come now (late: as if missed 3 h ago while down)
  :help                               this list
  :quit                               leave
anything else is sent to the bot as the current member's message (try /help)`

// maxConsoleLine bounds one console line: longer is refused, not sent (and does not end the demo).
const maxConsoleLine = 64 << 10

// readLine reads one line of any length, keeping at most max bytes; tooLong says the rest was dropped.
func readLine(r *bufio.Reader, max int) (line string, tooLong bool, err error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if len(b)+len(chunk) > max {
			tooLong = true
		} else {
			b = append(b, chunk...)
		}
		if err != nil {
			return string(b), tooLong, err
		}
		if !isPrefix {
			return string(b), tooLong, nil
		}
	}
}

// isMember reports whether userid is a member of the emulator's organisation (as WeCom compares, ignoring case).
func (c *console) isMember(userid string) bool {
	found := false
	c.emu.WithOrg(func(o *emulator.Org) {
		for _, m := range o.Members {
			if strings.EqualFold(m.UserID, userid) {
				found = true
			}
		}
	})
	return found
}

func (c *console) members() []string {
	var out []string
	c.emu.WithOrg(func(o *emulator.Org) {
		for _, m := range o.Members {
			out = append(out, m.UserID)
		}
	})
	return out
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

// alert writes a security-log record into the emulator ("device": lisi logs in on a new device; "admin": an
// admin's permissions change; "file": a member downloads a file), which the alert rules of the demo's config
// match: the security team's digest arrives within the alerts interval (5 s).
// tag adds a member to, or removes one from, the 安全管理员 tag (the security role), as an admin would in
// WeCom's console: WeCom pushes change_contact, the bot drops its cached roles and tells the security team.
func (c *console) tag(ctx context.Context, args []string) error {
	if len(args) != 2 || (args[0] != "add" && args[0] != "remove") || !c.isMember(args[1]) {
		return errors.New("usage: :tag add|remove USERID (the 安全管理员 tag, which grants the security role)")
	}
	add, del := []string{args[1]}, []string(nil)
	if args[0] == "remove" {
		add, del = nil, add
	}
	ev, err := c.emu.ChangeTagMembers(1, add, del)
	if err != nil {
		return err
	}
	if _, err := c.emu.Deliver(ctx, ev); err != nil {
		return err
	}
	fmt.Fprintf(c.e.stdout, "(%s: tag 安全管理员 changed in WeCom; the bot was told)\n", args[1])
	deadline := time.Now().Add(c.wait)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		ib, _ := c.app.db.InboxCounts(ctx)
		ob, _ := c.app.db.OutboxCounts(ctx)
		if ib["pending"] == 0 && ib["working"] == 0 && ob["pending"] == 0 && ob["sending"] == 0 {
			break
		}
	}
	c.show()
	return nil
}

func (c *console) alert(ctx context.Context, args []string) error {
	kind, who := "device", "lisi"
	if len(args) > 0 {
		kind = args[0]
	}
	if len(args) > 1 {
		who = args[1]
		if !c.isMember(who) {
			return fmt.Errorf("%s is not a member of the sample organisation", who)
		}
	}
	now := time.Now()
	switch kind {
	case "device":
		c.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: now, UserID: who, OperType: 4, DetailInfo: "新设备登录：Windows DEMO-PC", IP: "183.40.7.*"})
	case "admin":
		c.emu.AddAdminOperRecord(emulator.AdminOperRecord{Time: now, UserID: "zhouba", OperType: 2, DetailType: 1,
			DetailInfo: "修改管理员权限：" + who + " 增加「通讯录管理」权限", IP: "61.40.7.9"})
	case "file":
		c.emu.AddFileOperRecord(emulator.FileOperRecord{Time: now, UserID: who, OperType: 103, OperSource: 401,
			FileInfo: "客户名单.csv", FileSize: 48213})
	default:
		return errors.New("usage: :alert [device|admin|file] [USERID]")
	}
	fmt.Fprintf(c.e.stdout, "(a %s record for %s is in WeCom's security log; the security team's digest follows within seconds)\n", kind, who)
	before := len(c.emu.Delivered(c.user))
	deadline := time.Now().Add(max(c.wait, 15*time.Second))
	for time.Now().Before(deadline) && len(c.emu.Delivered(c.user)) == before {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	c.show()
	return nil
}

// due makes a schedule's slot come now, as its time would: the bot's loop fires it into the inbox and the
// creator's answer follows. "late" moves the slot 3 hours back, as if the bot had been down.
func (c *console) due(ctx context.Context, arg string) error {
	idText, late, _ := strings.Cut(arg, " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(idText, "#"), 10, 64)
	if err != nil {
		return errors.New("usage: :due SCHEDULE_ID [late] (the number /schedule list shows)")
	}
	sc, err := c.app.db.GetSchedule(ctx, id)
	if err != nil || sc.Removed {
		return fmt.Errorf("there is no schedule #%d in force", id)
	}
	at := time.Now()
	if strings.TrimSpace(late) == "late" {
		at = at.Add(-3 * time.Hour)
	}
	if _, err := c.app.db.SQL().ExecContext(ctx, `UPDATE schedules SET next_run = ? WHERE id = ?`, at.Unix(), id); err != nil {
		return err
	}
	before := len(c.emu.Delivered(sc.Creator))
	c.app.schedules.Kick()
	deadline := time.Now().Add(max(c.wait, 15*time.Second))
	for time.Now().Before(deadline) && len(c.emu.Delivered(sc.Creator)) == before {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	c.show()
	return nil
}

// demoPoliciesTOML is the demo's four-eyes policy: deleting more than two devices needs a second approval by
// the 审批人 tag (zhangsan, zhaoliu). zhangsan asks; zhaoliu decides (:as zhaoliu, then :click approve).
const demoPoliciesTOML = `
[policies."devices.delete"]
approvers = ["tag:审批人"]
more_than = 2
`

// demoAlertsTOML are the demo's alert rules: the security team (the 安全管理员 tag: zhangsan, wujiu) gets a
// digest within seconds of a record :alert writes.
const demoAlertsTOML = `
[alerts]
interval = "5s"
window = "2s"
domain_ip_team = "secops"
[alerts.teams.secops]
members = ["tag:安全管理员"]
remind_after = "1m"       # not acknowledged: zhangsan and wujiu again, then zhaoliu, then a war room
tiers = [["zhaoliu"]]
war_room = true
[[alerts.rules]]
name = "new-device-login"
source = "member_oper_log"
oper_types = [4, 13]
severity = "warning"
team = "secops"
[[alerts.rules]]
name = "admin-permissions"
source = "admin_oper_log"
oper_types = [2]
severity = "critical"
team = "secops"
[[alerts.rules]]
name = "file-download"
source = "file_oper_record"
file_ops = [103, 113]
severity = "info"
team = "secops"
`

// demoApplyEpoch numbers the demo's applications: sunqi's, made at start, is demoApplyID.
const (
	demoApplyEpoch = 1700000000
	demoApplyID    = "ap17000000000017" // after the sample organisation's 16 older applications
)

// seed makes what docs/commands.md's examples name: sunqi applies for a mail account, which the bot takes
// over, so /order show, approve and reject have a live application to act on.
func (c *console) seed(ctx context.Context) {
	user := c.user
	c.user = "sunqi"
	defer func() { c.user = user }()
	if err := c.act(ctx, ":apply mail 新项目需要更大的邮箱空间"); err != nil {
		fmt.Fprintf(c.e.stderr, "demo: the sample application was not made: %v\n", err)
	}
}

// act runs :apply and :click through the emulator's control API, as WeCom would deliver them.
func (c *console) act(ctx context.Context, line string) error {
	f := strings.Fields(line)
	var req map[string]any
	switch {
	case f[0] == ":apply":
		types := map[string]int{"mail": 1, "docs": 2, "drive": 3, "meetings": 4}
		bt, reason := 1, "demo application"
		if len(f) > 1 {
			if n, ok := types[f[1]]; ok {
				bt = n
				f = f[1:]
			}
		}
		if len(f) > 1 {
			reason = strings.Join(f[1:], " ")
		}
		req = map[string]any{"from": c.user, "event": "submit_vip_account_approval", "business_type": bt, "apply_reason": reason}
	case len(f) == 3 && (f[1] == "approve" || f[1] == "reject"):
		task := ""
		for _, m := range c.emu.Delivered(c.user) {
			if m.MsgType == "template_card" && strings.Contains(string(m.Body), "approval:"+f[1]+":"+f[2]) {
				var b struct {
					TemplateCard struct {
						TaskID string `json:"task_id"`
					} `json:"template_card"`
				}
				json.Unmarshal(m.Body, &b)
				task = b.TemplateCard.TaskID
			}
		}
		if task == "" {
			return fmt.Errorf("%s has no approval card for %s", c.user, f[2])
		}
		req = map[string]any{"from": c.user, "event": "template_card_event", "event_key": "approval:" + f[1] + ":" + f[2],
			"task_id": task, "card_type": "button_interaction"}
	case len(f) == 2 && (f[1] == "approve" || f[1] == "reject"):
		// The current member's latest four-eyes request card.
		task, key := "", ""
		for _, m := range c.emu.Delivered(c.user) {
			if m.MsgType != "template_card" || !strings.Contains(string(m.Body), "policy:"+f[1]+":") {
				continue
			}
			var b struct {
				TemplateCard struct {
					TaskID  string `json:"task_id"`
					Buttons []struct {
						Key string `json:"key"`
					} `json:"button_list"`
				} `json:"template_card"`
			}
			json.Unmarshal(m.Body, &b)
			for _, btn := range b.TemplateCard.Buttons {
				if strings.HasPrefix(btn.Key, "policy:"+f[1]+":") {
					task, key = b.TemplateCard.TaskID, btn.Key
				}
			}
		}
		if task == "" {
			return fmt.Errorf("%s has no four-eyes request card (one comes when a policy holds a command another member confirmed)", c.user)
		}
		req = map[string]any{"from": c.user, "event": "template_card_event", "event_key": key,
			"task_id": task, "card_type": "button_interaction"}
	default:
		return errors.New("usage: :apply [mail|docs|drive|meetings] REASON, :click approve|reject APPLY_ID, or :click approve|reject (a four-eyes request card)")
	}
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequestWithContext(ctx, "POST", c.control+"event", bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		return fmt.Errorf("emulator: %v", out["error"])
	}
	id, _ := out["apply_id"].(string)
	if id != "" {
		fmt.Fprintf(c.e.stdout, "(%s applied: %s)\n", c.user, id)
	}
	// A take-over or a decision sends cards and notes to several members: wait until the bot is done.
	deadline := time.Now().Add(c.wait)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if id != "" {
			if a, err := c.app.db.GetApplication(ctx, id); err != nil || a == nil || a.State == "pending" {
				continue
			}
		}
		ib, _ := c.app.db.InboxCounts(ctx)
		ob, _ := c.app.db.OutboxCounts(ctx)
		if ib["pending"] == 0 && ib["working"] == 0 && ob["pending"] == 0 && ob["sending"] == 0 {
			break
		}
	}
	c.show()
	return nil
}

// cardText renders a template card for the terminal: its title and the text the emulator records as what the
// member reads (desc, sub_title_text, rows, quote), then its buttons and the page it opens.
func cardText(m emulator.SentMessage) string {
	var b struct {
		Card struct {
			Buttons    []struct{ Text string } `json:"button_list"`
			CardAction struct {
				URL string `json:"url"`
			} `json:"card_action"`
		} `json:"template_card"`
		Button struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
	}
	if json.Unmarshal(m.Body, &b) != nil {
		return "[card]"
	}
	if b.Button.ReplaceName != "" {
		return "[card updated: " + b.Button.ReplaceName + "]"
	}
	var sb strings.Builder
	sb.WriteString("[card] " + m.Title)
	if m.Content != "" {
		sb.WriteString("\n  " + strings.ReplaceAll(m.Content, "\n", "\n  "))
	}
	var btns []string
	for _, x := range b.Card.Buttons {
		btns = append(btns, "["+x.Text+"]")
	}
	if len(btns) > 0 {
		sb.WriteString("\n  " + strings.Join(btns, " "))
	}
	if u := b.Card.CardAction.URL; u != "" {
		sb.WriteString("\n  page: " + u)
	}
	return sb.String()
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
		if m.MsgType == "template_card" || m.API == "message/update_template_card" {
			text = cardText(m)
		} else if m.MsgType == "file" {
			text = c.fileText(m)
		} else if text == "" {
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

// fileText shows a file message as [file NAME, N rows, SIZE, saved to PATH]: the bytes are copied out of the
// emulator so the user can open the file (a CSV in Excel, say).
func (c *console) fileText(m emulator.SentMessage) string {
	data, name, ok := c.emu.Media(m.MediaID)
	if !ok {
		return fmt.Sprintf("[file %s: media_id %s no longer valid]", m.FileName, m.MediaID)
	}
	parts := []string{"file " + name}
	if strings.HasSuffix(name, ".csv") {
		if recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll(); err == nil && len(recs) > 0 {
			if n := len(recs) - 1; n == 1 {
				parts = append(parts, "1 row")
			} else {
				parts = append(parts, commands.Thousands(n)+" rows")
			}
		}
	}
	parts = append(parts, commands.Size(len(data)))
	dir := filepath.Join(os.TempDir(), "wecombot-demo-files")
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.MkdirAll(dir, 0o700); err == nil && os.WriteFile(path, data, 0o600) == nil {
		parts = append(parts, "saved to "+path)
	}
	return "[" + strings.Join(parts, ", ") + "]"
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
