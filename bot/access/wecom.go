package access

import (
	"context"
	"github.com/wecombot/wecombot/bot"

	"github.com/wecombot/wecombot/wecom"
)

// WeCom answers role-membership questions from WeCom's address book through the client (user/get,
// department/list, tag/list, tag/get, user/simplelist). Results are cached by Control per caller, so each
// lookup is one API call at most every few minutes per member.
func WeCom(c *wecom.Client) Directory { return weComDirectory{c} }

type weComDirectory struct{ c *wecom.Client }

func (d weComDirectory) UserDepartments(ctx context.Context, userID string) ([]int, error) {
	u, err := d.c.User.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.Department, nil
}

func (d weComDirectory) SubDepartments(ctx context.Context, deptID int) ([]int, error) {
	list, err := d.c.Department.List(ctx, deptID)
	if err != nil {
		return nil, err
	}
	ids := make([]int, 0, len(list))
	for _, dep := range list {
		ids = append(ids, dep.ID)
	}
	return ids, nil
}

func (d weComDirectory) TagID(ctx context.Context, name string) (int, error) {
	tags, err := d.c.Tag.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range tags {
		if t.TagName == name {
			return t.TagID, nil
		}
	}
	return 0, bot.Errorf(bot.ENOTFOUND, "no tag named %q is visible to the app", name)
}

func (d weComDirectory) TagMembers(ctx context.Context, tagID int) ([]string, []int, error) {
	t, err := d.c.Tag.Get(ctx, tagID)
	if err != nil {
		return nil, nil, err
	}
	users := make([]string, 0, len(t.UserList))
	for _, u := range t.UserList {
		users = append(users, u.UserID)
	}
	return users, t.PartyList, nil
}

func (d weComDirectory) DeptMembers(ctx context.Context, deptID int) ([]string, error) {
	// Direct members only: sub-departments are walked by the caller (user/simplelist's fetch_child is no longer
	// documented).
	users, err := d.c.User.ListSimple(ctx, deptID, false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.UserID)
	}
	return ids, nil
}
