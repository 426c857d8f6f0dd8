package commands

import (
	"context"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Deps are what the admin commands work with. Tests build them over the WeCom emulator and a database file.
type Deps struct {
	Client *wecom.Client
	DB     *db.DB
	// Location is the corp's time zone, for reading and showing times; default Asia/Shanghai, WeCom's own.
	Location *time.Location
	Now      func() time.Time
	// Decider decides applications exactly once (bot/approvals); /order approve|reject go through it, so a
	// command and a card click can never both decide. nil: the commands call WeCom directly.
	Decider Decider
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
	return shanghai
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600) // no tzdata on the machine: China has one offset and no DST
}()

// AdminCommands are the commands over WeCom's admin APIs (seed 000's capabilities).
func AdminCommands(d Deps) []*Command {
	var out []*Command
	out = append(out, securityDesk(d)...) // devices, operation logs, domains and IPs
	out = append(out, peopleDesk(d)...)   // advanced-feature accounts, ids, roster, applications
	return out
}
