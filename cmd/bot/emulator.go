package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// runEmulator runs WeCom's emulator for the app in the config: the API on wecom.api_base's host:port, callbacks
// to callback.listen + callback.path.
func runEmulator(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig(e, "emulator", args)
	if err != nil {
		return err
	}
	addr, err := cfg.APIListen()
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.Log)
	s := emulator.New(emulator.Options{
		CorpID:         cfg.WeCom.CorpID,
		AgentID:        cfg.WeCom.AgentID,
		Secret:         cfg.WeCom.Secret,
		CallbackURL:    cfg.CallbackURL(),
		Token:          cfg.Callback.Token,
		EncodingAESKey: cfg.Callback.EncodingAESKey,
		TokenTTL:       cfg.Emulator.TokenTTL.Duration,
		RedirectDomain: publicHost(cfg.Callback.PublicURL), // the 可信域名 the approval page needs
		Logger:         log,
	})
	fmt.Fprintf(e.stdout, "WeCom emulator for corp %s app %d on http://%s (control API: http://%s/_emulator/), callbacks to %s\n",
		cfg.WeCom.CorpID, cfg.WeCom.AgentID, addr, addr, cfg.CallbackURL())
	return emulator.ListenAndServe(ctx, addr, s)
}

// publicHost is the host name of a URL, or "".
func publicHost(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Hostname()
}
