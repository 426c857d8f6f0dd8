package emulator

// The app's own settings: agent/get (获取指定的应用详情, DOC/90227, 2023/10/31), served from Options.Visibility
// and Options.RedirectDomain, as in the client's wecom/agent.go.

import (
	"slices"
	"strconv"
)

// Visibility is the app's visibility (可见范围) as the admin console sets it: members, departments (each with
// everything below it) and tags (their members and departments). When Options.Visibility is set, a member is
// visible exactly when one of these covers it, and every API that checks visibility (user/get's 60011,
// tag/get's filtered lists, …) follows it; agent/get answers these lists.
type Visibility struct {
	UserIDs  []string
	PartyIDs []int
	TagIDs   []int
}

// routesAgent registers agent/get (the client's wecom/agent.go).
func (s *Server) routesAgent() {
	s.handle("GET", "agent/get", s.agentGet)
}

// applyVisibility sets Member.Visible from v: a member is visible when listed, in a listed department or below
// it, or in a listed tag (directly or through one of the tag's departments).
func (o *Org) applyVisibility(v *Visibility) {
	var depts []int
	for _, id := range v.PartyIDs {
		depts = append(depts, o.subDepartments(id)...)
	}
	var users []string
	users = append(users, v.UserIDs...)
	for _, id := range v.TagIDs {
		if t := o.tag(id); t != nil {
			users = append(users, t.UserIDs...)
			for _, p := range t.PartyIDs {
				depts = append(depts, o.subDepartments(p)...)
			}
		}
	}
	for _, m := range o.Members {
		m.Visible = slices.ContainsFunc(users, func(u string) bool { return o.memberFold(u) == m }) ||
			slices.ContainsFunc(m.Department, func(d int) bool { return slices.Contains(depts, d) })
	}
}

// agentGet is GET agent/get?agentid= (DOC/90227). A self-built app may read only itself ("企业仅可获取当前凭证对应
// 的应用"): another agentid is 301002, a missing or malformed one 40056.
func (s *Server) agentGet(c *apiCall) (obj, *apiError) {
	id, err := strconv.Atoi(c.query("agentid"))
	switch {
	case err != nil || id <= 0:
		return nil, errf(codeInvalidAgentID, "invalid agentid %q", c.query("agentid"))
	case id != s.opts.AgentID:
		return nil, errf(codeNoAppPermission, "no privilege to access agent %d", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	users := []obj{}
	parties, tags := []int{}, []int{}
	if v := s.opts.Visibility; v != nil {
		for _, u := range v.UserIDs {
			users = append(users, obj{"userid": u})
		}
		parties = append(parties, v.PartyIDs...)
		tags = append(tags, v.TagIDs...)
	} else {
		// Without Options.Visibility the seeded Visible flags are the visibility: each visible member by name.
		for _, m := range s.org.Members {
			if m.Visible {
				users = append(users, obj{"userid": m.UserID})
			}
		}
	}
	return obj{
		"agentid":              s.opts.AgentID,
		"name":                 "wecombot",
		"square_logo_url":      "https://wework.qpic.cn/emulator/agent/" + strconv.Itoa(s.opts.AgentID),
		"description":          "WeCom emulator app",
		"allow_userinfos":      obj{"user": users},
		"allow_partys":         obj{"partyid": parties},
		"allow_tags":           obj{"tagid": tags},
		"close":                0,
		"redirect_domain":      s.opts.RedirectDomain,
		"report_location_flag": 0,
		"isreportenter":        0,
		"home_url":             "",
	}, nil
}
