package alerts

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Address-book changes (change_contact, DOC/90376): whatever changed, the cached roles are dropped at once, so
// a member removed from the admin tag is refused on their next message rather than after access.cache_ttl.
// The security team (alerts.contact_team, else domain_ip_team) is told when a change grants or takes a role:
// a member added to or removed from a tag the access config names, a member who held roles deleted, or a
// userid the config names renamed. WeCom's Items lists may be partial ("不要依赖变更回调中的相关Items字段",
// DOC/92656), so what a member holds now is what Resolve answers on their next message, not the event.

// contactChange is one line of the notice: who, and what they gained or lost.
type contactChange struct {
	user   string
	format string // message id: %[1]s the member (or department), %[2]s the tag (or department), %[3]s the roles
	tag    string
	roles  []string
	dept   bool // user and tag are department ids
}

// deptGrant is a department the access config names, and the roles it grants.
type deptGrant struct {
	dept  string
	roles []string
}

// grantingAbove returns the departments the access config names (dept:ID) whose subtree holds department id
// now, with the roles each grants, itself excluded (it was named before any move).
func (s *Service) grantingAbove(ctx context.Context, id string) []deptGrant {
	pid, err := strconv.Atoi(id)
	if err != nil || s.d.Directory == nil {
		return nil
	}
	var out []deptGrant
	for _, ref := range s.d.Access.Refs() {
		v, ok := strings.CutPrefix(ref, "dept:")
		if !ok || v == id {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		subs, err := s.d.Directory.SubDepartments(ctx, n)
		if err != nil {
			s.log.Warn("alerts: cannot read a department's sub-departments", slog.Int("dept", n), slog.String("err", err.Error()))
			continue
		}
		if slices.Contains(subs, pid) {
			out = append(out, deptGrant{dept: v, roles: s.d.Access.Granting(ref)})
		}
	}
	return out
}

func (s *Service) contactChanged(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	if s.d.Access == nil {
		return nil, nil
	}
	// What a deleted or renamed member held, read before the cache goes.
	var before map[string][]string
	if m.ChangeType == "delete_user" || m.ChangeType == "update_user" {
		if c := s.d.Access.Cached(m.UserID); c != nil {
			before = map[string][]string{m.UserID: held(c.Admin, c.Roles)}
		}
	}
	s.d.Access.Forget()
	s.log.Info("alerts: address book changed; cached roles dropped", slog.String("change_type", m.ChangeType),
		slog.String("user", m.UserID), slog.String("tag", m.TagID))
	var changes []contactChange
	switch m.ChangeType {
	case "update_tag":
		tag, roles := s.tagGrants(ctx, m.TagID)
		if len(roles) == 0 {
			break
		}
		for _, u := range limited(wecom.Items(m.AddUserItems)) {
			changes = append(changes, contactChange{user: u, format: i18n.N("%[1]s was added to the tag %[2]s, which grants %[3]s."), tag: tag, roles: roles})
		}
		for _, u := range limited(wecom.Items(m.DelUserItems)) {
			changes = append(changes, contactChange{user: u, format: i18n.N("%[1]s was removed from the tag %[2]s and no longer holds %[3]s through it."), tag: tag, roles: roles})
		}
		if len(m.AddPartyItems)+len(m.DelPartyItems) > 0 {
			changes = append(changes, contactChange{user: "", format: i18n.N("Departments were added to or removed from the tag %[2]s, which grants %[3]s."), tag: tag, roles: roles})
		}
	case "delete_user":
		roles := before[m.UserID]
		roles = appendNew(roles, s.d.Access.Granting(m.UserID)...)
		if len(roles) > 0 {
			changes = append(changes, contactChange{user: m.UserID, format: i18n.N("%[1]s was deleted from the organisation; they held %[3]s."), roles: roles})
		}
	case "create_user":
		// A member created in a department (or with a userid) the access config names holds a role at once.
		if now, err := s.d.Access.Resolve(ctx, m.UserID); err == nil && now != nil {
			if cur := held(now.Admin, now.Roles); len(cur) > 0 {
				changes = append(changes, contactChange{user: m.UserID, format: i18n.N("%[1]s joined the organisation and holds %[3]s."), roles: cur})
			}
		}
	case "create_party", "update_party":
		// A department created or moved under one the access config names: everyone in it now holds that
		// department's roles. (What a department held under its old parent is not in the event.)
		if m.ParentID != "" {
			for _, g := range s.grantingAbove(ctx, m.PartyID) {
				changes = append(changes, contactChange{format: i18n.N("Department %[1]s is now under department %[2]s, which grants %[3]s: its members hold it."),
					user: m.PartyID, tag: g.dept, roles: g.roles, dept: true})
			}
		}
	case "delete_party":
		if roles := s.d.Access.Granting("dept:" + m.PartyID); len(roles) > 0 {
			changes = append(changes, contactChange{format: i18n.N("Department %[1]s, which the access config names for %[3]s, was deleted; update config.toml."),
				user: m.PartyID, roles: roles, dept: true})
		}
	case "update_user":
		if m.NewUserID != "" && !strings.EqualFold(m.NewUserID, m.UserID) {
			if named := s.d.Access.Granting(m.UserID); len(named) > 0 {
				changes = append(changes, contactChange{user: m.UserID, format: i18n.N("The userid %[1]s, which the access config names for %[3]s, was changed in WeCom; update config.toml."), roles: named})
			}
		}
		// What they hold now, against what the cache said they held; uncached, a change of departments (the
		// event names the new ones) that leaves them holding a role is told too, since what they held before
		// is not known.
		old, cached := before[m.UserID]
		if m.NewUserID == "" && (cached || m.Department != "") {
			now, err := s.d.Access.Resolve(ctx, m.UserID)
			if err == nil && now != nil {
				cur := held(now.Admin, now.Roles)
				if (cached && !slices.Equal(cur, old)) || (!cached && len(cur) > 0) {
					changes = append(changes, contactChange{user: m.UserID, format: i18n.N("%[1]s moved in the address book: their roles are now %[3]s."), roles: orNone(cur)})
				}
			}
		}
	}
	team := s.r().cfg.ContactTeam
	if team == "" {
		team = s.r().cfg.DomainIPTeam
	}
	if len(changes) == 0 || team == "" {
		if len(changes) > 0 {
			s.log.Warn("alerts: a role-granting address-book change, and no alerts.contact_team to tell", slog.Int("changes", len(changes)))
		}
		return nil, nil
	}
	md := func(p *i18n.Printer) string {
		b := replies.NewBuilder(p)
		b.Heading("Address book: roles changed")
		for _, c := range changes {
			who, tag := bot.Markdown(replies.Code(c.user)), bot.Markdown(replies.Code(c.tag))
			if c.dept {
				who, tag = bot.Markdown(replies.Code("dept:"+c.user)), bot.Markdown(replies.Code("dept:"+c.tag))
			} else if n := s.nameOf(ctx, c.user); n != "" {
				who = bot.Markdown(replies.Escape(n) + " (" + replies.Code(c.user) + ")")
			}
			b.Item(c.format, who, tag, bot.Markdown(replies.Code(strings.Join(c.roles, ", "))))
		}
		b.Para("Cached roles were dropped: everyone's next message is checked against the address book as it is now. `/audit` shows what they did.")
		return b.Reply().Markdown
	}
	ds, err := s.teamDeliveries(ctx, it, team, md)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx *db.Tx) error {
		for _, d := range ds {
			if err := tx.AddOutbox(ctx, d.Message); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: "sys", Command: "change_contact", Args: map[string]string{"change_type": m.ChangeType,
			"user": m.UserID, "tag": m.TagID}, Decision: db.DecisionOK, Result: "told team " + team + " of " + strconv.Itoa(len(changes)) + " role changes", InboxID: it.ID})
	}, nil
}

// tagGrants names tag id and what the access config grants through it ("" and none when it names no tag).
func (s *Service) tagGrants(ctx context.Context, tagID string) (string, []string) {
	id, err := strconv.Atoi(tagID)
	if err != nil {
		return "", nil
	}
	for _, ref := range s.d.Access.Refs() {
		name, ok := strings.CutPrefix(ref, "tag:")
		if !ok {
			continue
		}
		tid, err := s.d.Access.TagID(ctx, name)
		if err != nil {
			s.log.Warn("alerts: cannot look up a tag the access config names", slog.String("tag", name), slog.String("err", err.Error()))
			continue
		}
		if tid == id {
			return name, s.d.Access.Granting(ref)
		}
	}
	return "", nil
}

func held(admin bool, roles []string) []string {
	var out []string
	if admin {
		out = append(out, "admin")
	}
	return append(out, roles...)
}

func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}

func orNone(roles []string) []string {
	if len(roles) == 0 {
		return []string{"-"}
	}
	return roles
}

// limited bounds the members one notice names (an event may list a whole department's).
func limited(users []string) []string {
	if len(users) > 50 {
		return users[:50]
	}
	return users
}
