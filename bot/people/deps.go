package people

import (
	"context"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Deps are what the people desk works with. Tests build them over the WeCom emulator and a database file.
type Deps struct {
	Client *wecom.Client
	DB     *db.DB
	// Location is the corp's time zone, for reading and showing times; default Asia/Shanghai, WeCom's own.
	Location *time.Location
	Now      func() time.Time
	// Decider decides applications exactly once (bot/approvals); /order approve|reject go through it, so a
	// command and a card click can never both decide. Required.
	Decider Decider
	// Names resolves a display name typed instead of a userid (/staff 李四); nil takes userids only.
	Names *access.Names
}

// Decider decides an application on behalf of approver; the returned CommonMark is for the decider. A
// decision that lost a race, or that the approver may not make, is a *bot.Error (ECONFLICT, EFORBIDDEN,
// ENOTFOUND).
type Decider interface {
	Decide(ctx context.Context, applyID, approver string, approve bool, note string) (string, error)
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

// Commands are the people desk's commands over members and their accounts: advanced-feature accounts
// (/vip), ids (/whois, /convert), the HR roster (/staff) and member applications (/order).
func Commands(d Deps) []*commands.Command {
	if d.Decider == nil || d.Client == nil || d.DB == nil {
		panic("people: Deps needs a Client, a DB and a Decider")
	}
	k := &desk{Deps: d, fields: newHRFieldCache(d)}
	var out []*commands.Command
	out = append(out, vipCommands(d)...)
	out = append(out, k.whoisCommands()...)
	out = append(out, k.staffCommands()...)
	out = append(out, k.orderCommands()...)
	return out
}

// desk is the people desk: its handlers are methods, sharing the HR field list /staff and /whois both read.
type desk struct {
	Deps
	fields *hrFieldCache
}
