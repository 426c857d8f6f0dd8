package emulator

// 账号ID: the bridges between a self-built app's ids and those a third-party/代开发 app sees ("自建应用与第三方应用
// 的对接", DOC/95884), and the conversion of tmp_external_userid (DOC/98729). The customer-id bridge
// externalcontact/from_service_external_userid is served from externalcontact.go, as in the client.

import "slices"

// routesIDConvert registers the ID conversion APIs, DOC/95884 and DOC/98729 (the client's wecom/idconvert.go).
func (s *Server) routesIDConvert() {
	s.handle("POST", "batch/openuserid_to_userid", s.openUserIDToUserID)
	s.handle("POST", "idconvert/convert_tmp_external_userid", s.convertTmpExternalUserID)
}

// Bounds from the docs: open_userid_list "最多不超过1000个", tmp_external_userid_list "最多不超过100个".
const (
	maxOpenUserIDs = 1000
	maxTmpIDs      = 100
)

// admCheckSourceAgent validates source_agentid: it must be the third-party/代开发 app whose ids the corp knows
// (OpenUserIDAgent); anything else is 40056 不合法的agentid (DOC/90313).
func admCheckSourceAgent(id int) *apiError {
	if id == 0 {
		return errInvalidParam("source_agentid is required")
	}
	if id != OpenUserIDAgent {
		return errf(40056, "invalid agentid %d: not a third-party or 代开发 app of this corp", id)
	}
	return nil
}

// openUserIDToUserID is POST batch/openuserid_to_userid: {"open_userid_list","source_agentid"} →
// {"userid_list":[{"open_userid","userid"}],"invalid_open_userid_list"}. A member must be visible to both apps
// ("需要同时在两个应用的可见范围内"); one outside this app's visibility is invalid.
func (s *Server) openUserIDToUserID(c *apiCall) (obj, *apiError) {
	var req struct {
		OpenUserIDList []string `json:"open_userid_list"`
		SourceAgentID  int      `json:"source_agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case len(req.OpenUserIDList) == 0:
		return nil, errInvalidParam("open_userid_list is empty")
	case len(req.OpenUserIDList) > maxOpenUserIDs:
		return nil, errInvalidParam("open_userid_list has %d ids, at most %d", len(req.OpenUserIDList), maxOpenUserIDs)
	}
	if err := admCheckSourceAgent(req.SourceAgentID); err != nil {
		return nil, err
	}
	type pair struct {
		OpenUserID string `json:"open_userid"`
		UserID     string `json:"userid"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found, invalid := []pair{}, []string{}
	seen := map[string]bool{}
	for _, id := range req.OpenUserIDList {
		if seen[id] {
			continue
		}
		seen[id] = true
		i := slices.IndexFunc(s.org.Members, func(m *Member) bool { return id != "" && m.OpenUserID == id })
		if i < 0 || !s.org.Members[i].Visible {
			invalid = append(invalid, id)
			continue
		}
		found = append(found, pair{id, s.org.Members[i].UserID})
	}
	return obj{"userid_list": found, "invalid_open_userid_list": invalid}, nil
}

// convertTmpExternalUserID is POST idconvert/convert_tmp_external_userid (DOC/98729): business_type 1 会议
// 2 收集表 3 智能表, user_type 1 客户 2 企业互联 3 上下游 4 互联企业(圈子). A tmp id converts only with the
// business_type and user_type it was issued for; a customer converts to external_userid, anyone else to corpid
// and userid.
func (s *Server) convertTmpExternalUserID(c *apiCall) (obj, *apiError) {
	var req struct {
		BusinessType int      `json:"business_type"`
		UserType     int      `json:"user_type"`
		TmpList      []string `json:"tmp_external_userid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.BusinessType < 1 || req.BusinessType > 3:
		return nil, errInvalidParam("invalid business_type %d, require 1-3", req.BusinessType)
	case req.UserType < 1 || req.UserType > 4:
		return nil, errInvalidParam("invalid user_type %d, require 1-4", req.UserType)
	case len(req.TmpList) == 0:
		return nil, errInvalidParam("tmp_external_userid_list is empty")
	case len(req.TmpList) > maxTmpIDs:
		return nil, errInvalidParam("tmp_external_userid_list has %d ids, at most %d", len(req.TmpList), maxTmpIDs)
	}
	type result struct {
		TmpExternalUserID string `json:"tmp_external_userid"`
		ExternalUserID    string `json:"external_userid,omitempty"`
		CorpID            string `json:"corpid,omitempty"`
		UserID            string `json:"userid,omitempty"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results, invalid := []result{}, []string{}
	seen := map[string]bool{}
	for _, id := range req.TmpList {
		if seen[id] {
			continue
		}
		seen[id] = true
		t, ok := s.org.admin.tmpIDs[id]
		ok = ok && t.BusinessType == req.BusinessType && t.UserType == req.UserType
		if ok && t.UserType == 1 {
			e := s.org.externalContact(t.ExternalUserID)
			ok = e != nil && s.org.admContactVisible(e)
		}
		if !ok {
			invalid = append(invalid, id)
			continue
		}
		if t.UserType == 1 {
			results = append(results, result{TmpExternalUserID: id, ExternalUserID: t.ExternalUserID})
		} else {
			results = append(results, result{TmpExternalUserID: id, CorpID: t.CorpID, UserID: t.UserID})
		}
	}
	return obj{"results": results, "invalid_tmp_external_userid_list": invalid}, nil
}

// tmpExternalID is what one tmp_external_userid converts to (idconvert/convert_tmp_external_userid): an
// external contact for user_type 1, a member of another corp for user_types 2-4.
type tmpExternalID struct {
	BusinessType   int // 1 会议 2 收集表 3 智能表/文档: the API that handed it out
	UserType       int
	ExternalUserID string
	CorpID         string
	UserID         string
}
