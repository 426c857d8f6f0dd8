package security

import (
	"context"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
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
	// Names shows members as 张三 (zhangsan) in lists; nil shows bare userids.
	Names *access.Names
}

// who shows a member by name and userid ("张三 (`zhangsan`)"), or by userid alone when the name is unknown.
func (d Deps) who(userid string) string {
	if name := d.Names.Of(context.Background(), userid); name != "" && !strings.EqualFold(name, userid) {
		return replies.Escape(name) + " (" + replies.Code(userid) + ")"
	}
	return replies.Code(userid)
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
