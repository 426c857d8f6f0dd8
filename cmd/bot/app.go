package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/people"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/bot/security"

	"github.com/wecombot/wecombot/bot/alerts"
	"github.com/wecombot/wecombot/bot/approvals"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	webconsole "github.com/wecombot/wecombot/bot/console"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/outbox"
	"github.com/wecombot/wecombot/bot/router"
	"github.com/wecombot/wecombot/bot/schedule"
	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// app is the running bot: database, WeCom client, callback endpoint, inbox workers and outbox sender. serve,
// demo and the end-to-end tests all build one.
type app struct {
	cfg       *config.Config
	log       *slog.Logger
	db        *db.DB
	client    *wecom.Client
	crypter   *wecom.Crypter
	callback  *callbacks.Handler
	processor *inbox.Processor
	sender    *outbox.Sender
	mux       *http.ServeMux
	registry  *commands.Registry
	engine    *commands.Engine
	langs     *i18n.Members
	alerts    *alerts.Service
	approvals *approvals.Service
	access    *access.Control
	schedules *schedule.Service
	names     *access.Names
	console   *webconsole.Server // nil without a console origin (console.origin or callback.public_url)

	// ShutdownTimeout bounds how long in-flight HTTP requests may take at shutdown.
	shutdownTimeout time.Duration

	metrics *metricsServer // nil unless [metrics] listen is set (metrics.go)
}

// memberLimits are the per-member windows the sender keeps to; nil is WeCom's. Only the crash test's child
// process changes them (TestMain), to the same shortened minute as its emulator's.
var memberLimits []wecom.Window

// newApp wires the bot from its config. handler handles stored callbacks; nil means the default.
func newApp(cfg *config.Config, log *slog.Logger, handler inbox.Handler) (_ *app, err error) {
	crypter, err := wecom.NewCrypter(cfg.Callback.Token, cfg.Callback.EncodingAESKey, cfg.WeCom.CorpID)
	if err != nil {
		return nil, fmt.Errorf("callback crypto: %w", err)
	}
	// One writer: a second bot on this file, or `wecombot restore` under a running bot, is refused (db/backup.go).
	d, err := db.OpenWriter(cfg.Store.Path)
	if err != nil {
		return nil, err
	}
	defer func() { // one cleanup for every failure below
		if err != nil {
			d.Close()
		}
	}()
	// The audit key is set before anything can append, and checked against the trail already on disk: a lost
	// or newly added key stops the bot here rather than failing every audited action.
	if err := d.SetAuditKey([]byte(cfg.Audit.Key)); err != nil {
		return nil, fmt.Errorf("audit.key: %w", err)
	}
	if err := d.CheckAuditKey(context.Background()); err != nil {
		return nil, fmt.Errorf("audit.key: %w", err)
	}
	client, err := wecom.NewClient(wecom.Config{
		CorpID:     cfg.WeCom.CorpID,
		Secret:     cfg.WeCom.Secret,
		AgentID:    cfg.WeCom.AgentID,
		BaseURL:    cfg.WeCom.APIBase,
		TokenStore: d.Tokens(),
		Logger:     log,
		// WeCom's sign-in pages; set only to play them with the emulator.
		AuthorizeURL: cfg.WeCom.AuthorizeURL,
		WebLoginURL:  cfg.WeCom.WebLoginURL,
	})
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: d, client: client, crypter: crypter, mux: http.NewServeMux(),
		shutdownTimeout: 10 * time.Second}
	a.langs = &i18n.Members{Store: d, Default: cfg.Replies.Lang()} // what each member reads: /lang, else replies.language
	a.sender = &outbox.Sender{Store: d, API: client, Logger: log.With("component", "outbox"), MemberLimits: memberLimits,
		HeldBack: func(ctx context.Context, user string, n int) string {
			return outbox.HeldBackIn(i18n.For(a.langs.Of(ctx, user)), n)
		}}
	if handler == nil {
		r, err := a.newRouter()
		if err != nil {
			return nil, err
		}
		handler = r
	}
	a.processor = &inbox.Processor{Store: d, Handler: handler, Logger: log.With("component", "inbox"), Done: a.sender.Notify}
	var previous *wecom.Crypter
	if cfg.Callback.PreviousToken != "" {
		if previous, err = wecom.NewCrypter(cfg.Callback.PreviousToken, cfg.Callback.PreviousEncodingAESKey, cfg.WeCom.CorpID); err != nil {
			return nil, fmt.Errorf("callback.previous_*: %w", err)
		}
		if until := cfg.Callback.PreviousUntilTime(); time.Now().Before(until) {
			log.Info("accepting the previous callback token and key during a rotation", slog.Time("until", until))
		} else {
			log.Warn("callback.previous_until has passed: the previous token and key are no longer accepted; remove them from the config")
		}
	}
	a.callback = &callbacks.Handler{
		Crypter:        crypter,
		Previous:       previous,
		PreviousUntil:  cfg.Callback.PreviousUntilTime(),
		Inbox:          d,
		MaxSkew:        cfg.Callback.MaxSkew.Duration,
		Notify:         a.processor.Notify,
		Logger:         log.With("component", "callback"),
		EnqueueTimeout: callbacks.DefaultEnqueueTimeout,
	}
	a.mux.Handle(cfg.Callback.Path, a.callback)
	if a.approvals != nil {
		a.mux.Handle("GET /approvals/{id}", a.approvals) // the page the approval cards link to
	}
	if origin := cfg.ConsoleOrigin(); origin != "" && a.approvals != nil {
		if a.console, err = a.newConsole(origin); err != nil {
			return nil, err
		}
		a.mux.Handle("/console/", a.console)
	}
	if f := cfg.Console.VerifyFile; f != "" {
		// WeCom's check that the trusted domain is ours: the file it names, at the domain's root.
		content := cfg.Console.VerifyContent
		a.mux.HandleFunc("GET /"+f, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprint(w, content)
		})
	}
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	a.mux.HandleFunc("GET /readyz", a.ready)
	if a.metrics, err = a.instrument(); err != nil {
		return nil, err
	}
	return a, nil
}

// checkRolePerms refuses a role permission that grants nothing: a misspelt "order.aprove" would otherwise
// silently leave the role without the permission its owner meant.
func checkRolePerms(roles []access.Role, reg *commands.Registry) error {
	perms := map[string]bool{}
	var known []string
	for _, c := range reg.Commands() {
		if c.Perm != "" && !perms[c.Perm] {
			perms[c.Perm] = true
			known = append(known, c.Perm)
		}
	}
	sort.Strings(known)
	for _, r := range roles {
		for _, p := range r.Perms {
			if p == "*" {
				continue
			}
			grants := false
			for _, k := range known {
				if (&access.Caller{Perms: []string{p}}).Can(k) {
					grants = true
					break
				}
			}
			if !grants {
				hint := ""
				if s := commands.Suggest(p, known); s != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", s)
				}
				return fmt.Errorf("access.roles.%s.permissions: %q grants no command%s; the permissions are: %s",
					r.Name, p, hint, strings.Join(known, ", "))
			}
		}
	}
	return nil
}

// rolesOf lists the config's roles in name order.
func rolesOf(c config.Access) []access.Role {
	var roles []access.Role
	for name, r := range c.Roles {
		roles = append(roles, access.Role{Name: name, Members: r.Members, Perms: r.Permissions})
	}
	sort.Slice(roles, func(i, j int) bool { return roles[i].Name < roles[j].Name })
	return roles
}

// newRouter builds the command engine, the approval flow, the alerts, and the router that feeds them.
func (a *app) newRouter() (*router.Router, error) {
	roles := rolesOf(a.cfg.Access)
	if len(a.cfg.Access.Admins) == 0 && len(roles) == 0 {
		a.log.Warn("access: no admins and no roles; only the public commands (/help, /whoami, /ping) will run")
	}
	dir := access.WeCom(a.client)
	ac, err := access.New(a.cfg.Access.Admins, roles, dir, a.cfg.Access.CacheTTL.Duration)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	loc := a.cfg.Replies.Location()
	replies.SetDescribeLocation(loc)
	reg := commands.NewRegistry()
	names := access.NewNames(a.client) // 张三 (zhangsan) in lists and cards; names to userids for /staff
	a.names = names
	a.approvals, err = approvals.New(a.cfg.Approvals, approvals.Deps{Client: a.client, DB: a.db, Directory: dir, Access: ac,
		Registry: reg, Notify: a.sender.Notify, Logger: a.log.With("component", "approvals"), Location: loc,
		Composer: replies.Composer{Text: a.cfg.Replies.Format == "text"}, Langs: a.langs, Names: names}, a.cfg.Callback.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(a.cfg.Approvals.Approvers) == 0 && len(a.cfg.Approvals.ByType) == 0 {
		a.log.Warn("approvals: no approvers configured; member applications will not be taken over (set approvals.approvers)")
	}
	reg.Register(commands.Builtins(reg, a.db, loc)...)
	reg.Register(security.Commands(security.Deps{Client: a.client, DB: a.db, Location: loc, Names: names})...) // devices, logs, domains and IPs
	reg.Register(people.Commands(people.Deps{Client: a.client, DB: a.db, Location: loc, Decider: a.approvals,
		Names: names})...) // accounts, ids, roster, applications
	a.alerts, err = alerts.New(a.cfg.Alerts, alerts.Deps{Client: a.client, DB: a.db, Directory: dir, Access: ac,
		Notify: a.sender.Notify, Logger: a.log.With("component", "alerts"), Location: loc,
		Composer: replies.Composer{Text: a.cfg.Replies.Format == "text"}, Langs: a.langs, Names: names})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	reg.Register(a.alerts.Commands()...)
	a.schedules = schedule.New(schedule.Deps{DB: a.db, Registry: reg, Location: loc, Logger: a.log.With("component", "schedule"),
		Wake: func() { a.processor.Notify() }}) // the processor is built after the router
	reg.Register(a.schedules.Commands()...)
	if err := reg.Err(); err != nil {
		return nil, fmt.Errorf("commands: %w", err)
	}
	if err := checkRolePerms(roles, reg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	a.registry = reg
	a.access = ac
	policies, err := fourEyesPolicies(a.cfg.Policies, reg, dir)
	if err != nil {
		return nil, err
	}
	a.engine = &commands.Engine{Registry: reg, Access: ac, Store: a.db, Logger: a.log.With("component", "commands"), Langs: a.langs,
		Policies: policies, FourEyes: a.db, Names: names, Location: loc,
		Files: a.client.Media} // --csv exports go out as files
	rt := &router.Router{Engine: a.engine, Encoder: a.client.Message, Text: a.cfg.Replies.Format == "text",
		Events: map[string]router.EventHandler{
			"security":                    a.alerts,
			"change_contact":              a.alerts, // drops cached roles; tells the security team of role changes
			"submit_vip_account_approval": a.approvals,
			"finish_vip_account_approval": a.approvals,
		},
		Cards: map[string]router.EventHandler{"alert": a.alerts, "approval": a.approvals},
		Menu:  menuItems(a.cfg.Menu), Greet: true, Location: a.cfg.Replies.Location(), Langs: a.langs,
		Logger: a.log.With("component", "router"),
		Kinds:  map[string]inbox.Handler{db.KindSchedule: a.schedules}}
	a.schedules.Attach(a.engine, rt)
	a.engine.Cards = rt
	a.engine.Mail = rt
	return rt, nil
}

// ready reports whether the bot can do its work: the database takes writes and WeCom gives a token.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		http.Error(w, "database not writable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if _, err := a.client.Token(ctx); err != nil {
		http.Error(w, "cannot get a WeCom access token: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	// A cached token says nothing about reaching WeCom now: the last API call does. When it got no answer,
	// ask WeCom again (a cheap read) before saying not ready, so a recovered network reads as ready.
	last := a.client.LastResult()
	if !last.At.IsZero() && !last.Reachable {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second) // a probe, not a retry loop
		_, _ = a.client.Misc.GetCallbackIP(pctx)
		pcancel()
		if last = a.client.LastResult(); !last.Reachable {
			http.Error(w, fmt.Sprintf("WeCom unreachable: the last API call (%s at %s) got no answer: %v", last.Op,
				last.At.Format(time.RFC3339), last.Err), http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintln(w, "ready")
	if !last.At.IsZero() {
		outcome := "ok"
		if last.Err != nil {
			outcome = last.Err.Error()
		}
		fmt.Fprintf(w, "last WeCom call: %s at %s: %s\n", last.Op, last.At.Format(time.RFC3339), outcome)
	}
}

// run serves on ln until ctx ends, then shuts down in order: stop accepting callbacks and finish in-flight
// requests; let workers finish (what they cannot is left pending for the next start); close the database.
func (a *app) run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	loops := []func(context.Context) error{a.processor.Run, a.sender.Run, a.prune, a.replicate}
	// The engine, approvals and alerts exist when the bot runs its own router (tests may bring a handler).
	if a.engine != nil {
		loops = append(loops, func(ctx context.Context) error { return a.engine.RunExpiry(ctx, a.db) })
	}
	if a.approvals != nil {
		loops = append(loops, a.approvals.Run)
	}
	if a.alerts != nil {
		loops = append(loops, a.alerts.Run)
	}
	if a.schedules != nil {
		loops = append(loops, a.schedules.Run)
	}
	if a.metrics != nil {
		loops = append(loops, a.metrics.run)
	}
	// Room for every loop and the server: a failing goroutine must never block on the send and hang wg.Wait.
	errc := make(chan error, len(loops)+1)
	for _, f := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(workCtx); err != nil {
				errc <- err
			}
		}()
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	a.log.Info("bot serving", slog.String("addr", ln.Addr().String()), slog.String("callback", a.cfg.Callback.Path),
		slog.String("corp", a.cfg.WeCom.CorpID), slog.Int("agent", a.cfg.WeCom.AgentID), slog.String("db", a.cfg.Store.Path))
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		a.log.Warn("http shutdown", slog.String("err", err.Error()))
	}
	stopWork()
	wg.Wait()
	if err := a.db.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// historyRetention is how long delivered messages and pushed alerts are kept.
const historyRetention = 30 * 24 * time.Hour

// prune deletes old handled inbox rows, delivered messages and pushed alerts every hour.
func (a *app) prune(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := a.db.PruneInbox(ctx, time.Now().Add(-a.cfg.Store.InboxRetention.Duration))
		if err != nil && ctx.Err() == nil {
			a.log.Error("inbox pruning failed", slog.String("err", err.Error()))
		} else if n > 0 {
			a.log.Info("pruned handled inbox rows", slog.Int64("rows", n))
		}
		// Sent messages and pushed alerts are kept 30 days for /outbox-style questions and /alerts.
		n, err = a.db.PruneHistory(ctx, time.Now().Add(-historyRetention))
		if err != nil && ctx.Err() == nil {
			a.log.Error("history pruning failed", slog.String("err", err.Error()))
		} else if n > 0 {
			a.log.Info("pruned old messages and alerts", slog.Int64("rows", n))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
