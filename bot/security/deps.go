package security

import (
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Deps are what the security desk works with. Tests build them over the WeCom emulator and a database file.
type Deps struct {
	Client *wecom.Client
	DB     *db.DB
	// Location is the corp's time zone, for reading and showing times; default Asia/Shanghai, WeCom's own.
	Location *time.Location
	Now      func() time.Time
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d Deps) loc() *time.Location {
	if d.Location != nil {
		return d.Location
	}
	return replies.China
}

// Commands are the security desk's commands: devices, operation logs, domains and IPs (WeCom's 安全管理
// APIs, seed 000 S1–S6).
func Commands(d Deps) []*commands.Command {
	var out []*commands.Command
	out = append(out, deviceCommands(d)...)
	out = append(out, oplogCommands(d)...)
	out = append(out, domainIPCommands(d)...)
	return out
}
