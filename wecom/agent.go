package wecom

import (
	"context"
	"net/url"
	"strconv"
)

// AgentService reads the app's own settings (应用管理): its visibility and trusted domain.
type AgentService service

// Agent is an app as agent/get answers (获取指定的应用详情). The visibility (可见范围) is the union of AllowUsers,
// the departments AllowParties (with their sub-departments) and the tags AllowTags.
type Agent struct {
	AgentID        int    `json:"agentid"`
	Name           string `json:"name"`
	SquareLogoURL  string `json:"square_logo_url"`
	Description    string `json:"description"`
	AllowUserInfos struct {
		User []struct {
			UserID string `json:"userid"`
		} `json:"user"`
	} `json:"allow_userinfos"`
	AllowPartys struct {
		PartyID []int `json:"partyid"`
	} `json:"allow_partys"`
	AllowTags struct {
		TagID []int `json:"tagid"`
	} `json:"allow_tags"`
	Close              int    `json:"close"`           // 1: the app is disabled (停用)
	RedirectDomain     string `json:"redirect_domain"` // the trusted domain (可信域名) OAuth redirects may go to
	ReportLocationFlag int    `json:"report_location_flag"`
	IsReportEnter      int    `json:"isreportenter"`
	HomeURL            string `json:"home_url"`
}

// AllowUsers returns the userids named directly in the app's visibility.
func (a *Agent) AllowUsers() []string {
	out := make([]string, 0, len(a.AllowUserInfos.User))
	for _, u := range a.AllowUserInfos.User {
		out = append(out, u.UserID)
	}
	return out
}

// AllowParties returns the departments in the app's visibility (each with its sub-departments).
func (a *Agent) AllowParties() []int { return a.AllowPartys.PartyID }

// AllowTagIDs returns the tags in the app's visibility.
func (a *Agent) AllowTagIDs() []int { return a.AllowTags.TagID }

// Get reads an app's details; a self-built app may read only itself ("企业仅可获取当前凭证对应的应用"), so agentID
// 0 means the client's own agentid.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90227
//
//meta:operation GET /cgi-bin/agent/get
func (s *AgentService) Get(ctx context.Context, agentID int) (*Agent, error) {
	const op = "agent/get"
	if agentID == 0 {
		agentID = s.client.agentID
	}
	if agentID <= 0 {
		return nil, invalid(op, "agentid", "required")
	}
	var a Agent
	if err := s.client.get(ctx, op, url.Values{"agentid": {strconv.Itoa(agentID)}}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
