package emulator

// Customers (客户联系): externalcontact/get and the service-provider id bridge
// externalcontact/from_service_external_userid.

// routesExternalContact registers the customer APIs (the client's wecom/externalcontact.go).
func (s *Server) routesExternalContact() {
	s.handle("GET", "externalcontact/get", s.externalContactGet)
	// ID conversion for service-provider apps, DOC/95884.
	s.handle("POST", "externalcontact/from_service_external_userid", s.fromServiceExternalUserID)
}

// externalContactGet is GET externalcontact/get?external_userid= (获取客户详情, DOC/96315, 2025/12/19;
// older id 92114). An unknown id is 40096 (不合法的外部联系人userid); a known customer none of whose
// followers the app can see is 84061 ("not external contact"), as WeCom answers it in practice.
func (s *Server) externalContactGet(c *apiCall) (obj, *apiError) {
	id := c.query("external_userid")
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.org.externalContact(id)
	if e == nil {
		return nil, errf(codeInvalidExternal, "invalid external userid %q", id)
	}
	follow := []obj{}
	for i, u := range e.FollowUsers {
		m := s.org.member(u)
		if m == nil || !m.Visible {
			continue
		}
		follow = append(follow, obj{
			"userid":         m.UserID,
			"remark":         e.Name,
			"description":    "",
			"createtime":     1700000000 + 86400*i, // fixed, so answers are reproducible
			"tags":           []any{},
			"remark_mobiles": []string{},
			"add_way":        1,
			"oper_userid":    m.UserID,
		})
	}
	if len(follow) == 0 {
		return nil, errf(codeNoExternalRelated, "not external contact: no follower of %q is visible to this app", id)
	}
	ec := obj{"external_userid": e.ExternalUserID, "name": e.Name, "type": e.Type, "gender": e.Gender,
		"avatar": "https://wework.qpic.cn/emulator/external/" + e.ExternalUserID}
	if e.Type == 2 { // corp fields only for WeCom users
		ec["corp_name"] = e.CorpName
		ec["corp_full_name"] = e.CorpName
		ec["position"] = ""
	}
	return obj{"external_contact": ec, "follow_user": follow, "next_cursor": ""}, nil
}

// fromServiceExternalUserID is POST externalcontact/from_service_external_userid: the external_userid a
// service-provider app saw → the one this app sees. An unknown or unreachable customer is 40096
// 不合法的外部联系人userid (DOC/90313).
func (s *Server) fromServiceExternalUserID(c *apiCall) (obj, *apiError) {
	var req struct {
		ExternalUserID string `json:"external_userid"`
		SourceAgentID  int    `json:"source_agentid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ExternalUserID == "" {
		return nil, errInvalidParam("external_userid is required")
	}
	if err := admCheckSourceAgent(req.SourceAgentID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.org.ExternalContacts {
		if e.ServiceExternalUserID == req.ExternalUserID && s.org.admContactVisible(e) {
			return obj{"external_userid": e.ExternalUserID}, nil
		}
	}
	return nil, errf(40096, "invalid external userid %s", req.ExternalUserID)
}
