package main

import (
	"context"
	"fmt"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/wecom"
)

// directory answers role-membership questions from WeCom's address book. Results are cached by
// access.Control per caller, so each lookup here is one API call at most every few minutes per member.
type directory struct{ c *wecom.Client }

var _ access.Directory = directory{}

func (d directory) UserDepartments(ctx context.Context, userID string) ([]int, error) {
	u, err := d.c.User.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.Department, nil
}

func (d directory) SubDepartments(ctx context.Context, deptID int) ([]int, error) {
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

func (d directory) TagID(ctx context.Context, name string) (int, error) {
	tags, err := d.c.Tag.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range tags {
		if t.TagName == name {
			return t.TagID, nil
		}
	}
	return 0, fmt.Errorf("no tag named %q is visible to the app", name)
}

func (d directory) TagMembers(ctx context.Context, tagID int) ([]string, []int, error) {
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

func (d directory) DeptMembers(ctx context.Context, deptID int) ([]string, error) {
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
