package main

import (
	webconsole "github.com/wecombot/wecombot/bot/console"
)

// newConsole builds the web console for origin, over the same access control, approvals and languages as chat.
func (a *app) newConsole(origin string) (*webconsole.Server, error) {
	c, err := webconsole.New(webconsole.Deps{DB: a.db, Client: a.client, Access: a.access, Decider: a.approvals, Alerts: a.alerts, Langs: a.langs,
		Names: a.names, Location: a.cfg.Replies.Location(), Logger: a.log.With("component", "console"), Notify: a.sender.Notify}, origin)
	if err != nil {
		return nil, err
	}
	c.IdleTimeout, c.MaxAge = a.cfg.Console.IdleTimeout.Duration, a.cfg.Console.MaxAge.Duration
	return c, nil
}
