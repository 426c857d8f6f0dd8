package main

import (
	"context"
	"fmt"

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
		Logger:         log,
	})
	fmt.Fprintf(e.stdout, "WeCom emulator for corp %s app %d on http://%s (control API: http://%s/_emulator/), callbacks to %s\n",
		cfg.WeCom.CorpID, cfg.WeCom.AgentID, addr, addr, cfg.CallbackURL())
	return emulator.ListenAndServe(ctx, addr, s)
}
