package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/router"
	"github.com/wecombot/wecombot/wecom"
)

// runMenu is `wecombot menu sync --config config.toml`: it sets the app's menu in WeCom (menu/create) from the
// config's [menu] section, or the default menu. Each button sends a click event whose key the bot maps back
// to the button's command.
func runMenu(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return errors.New("usage: wecombot menu sync --config config.toml")
	}
	cfg, err := loadConfig(e, "menu sync", args[1:])
	if err != nil {
		return err
	}
	client, err := wecom.NewClient(wecom.Config{CorpID: cfg.WeCom.CorpID, Secret: cfg.WeCom.Secret, AgentID: cfg.WeCom.AgentID,
		BaseURL: cfg.WeCom.APIBase, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	m := wecomMenu(cfg.Menu)
	if err := client.Menu.Create(ctx, 0, m); err != nil {
		return fmt.Errorf("menu/create: %w", err)
	}
	for key, line := range menuCommands(cfg.Menu) {
		fmt.Fprintf(e.stdout, "%s → %s\n", key, line)
	}
	fmt.Fprintf(e.stdout, "menu set for agent %d: %d buttons\n", cfg.WeCom.AgentID, len(m.Button))
	return nil
}

// menuKey is the click key of the button at i (and j, for a sub-button): positions, so the bot can map a
// click back to the command configured for that place.
func menuKey(i, j int) string {
	if j < 0 {
		return fmt.Sprintf("menu:%d", i)
	}
	return fmt.Sprintf("menu:%d.%d", i, j)
}

// wecomMenu is the menu/create body for the config's menu.
func wecomMenu(c config.Menu) *wecom.Menu {
	m := &wecom.Menu{}
	for i, b := range c.Buttons() {
		if len(b.Sub) == 0 {
			m.Button = append(m.Button, wecom.MenuButton{Type: "click", Name: b.Name, Key: menuKey(i, -1)})
			continue
		}
		p := wecom.MenuButton{Name: b.Name}
		for j, sb := range b.Sub {
			p.SubButton = append(p.SubButton, wecom.MenuButton{Type: "click", Name: sb.Name, Key: menuKey(i, j)})
		}
		m.Button = append(m.Button, p)
	}
	return m
}

// menuItems maps each button's click key to its name and command line, for the router.
func menuItems(c config.Menu) map[string]router.MenuItem {
	out := map[string]router.MenuItem{}
	for i, b := range c.Buttons() {
		if len(b.Sub) == 0 {
			out[menuKey(i, -1)] = router.MenuItem{Name: b.Name, Line: b.Command}
		}
		for j, sb := range b.Sub {
			out[menuKey(i, j)] = router.MenuItem{Name: sb.Name, Line: sb.Command}
		}
	}
	return out
}

// menuCommands maps each button's click key to its command line.
func menuCommands(c config.Menu) map[string]string {
	out := map[string]string{}
	for i, b := range c.Buttons() {
		if len(b.Sub) == 0 {
			out[menuKey(i, -1)] = b.Command
		}
		for j, sb := range b.Sub {
			out[menuKey(i, j)] = sb.Command
		}
	}
	return out
}
