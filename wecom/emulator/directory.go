package emulator

// Directory (通讯录): members, departments and tags. Response shapes follow the
// official pages named on each handler (DOC/n = https://developer.work.weixin.qq.com/document/path/n). The
// app's visibility is the whole department tree; members with Visible=false are outside it (60011).

import (
	"slices"
	"strconv"
)

// routesDirectory registers the directory APIs (the client's wecom/directory.go).
func (s *Server) routesDirectory() {
	s.handle("GET", "user/get", s.userGet)
	s.handle("GET", "user/simplelist", s.userSimpleList)
	s.handle("GET", "department/list", s.departmentList)
	s.handle("GET", "department/get", s.departmentGet)
	s.handle("GET", "tag/get", s.tagGet)
	s.handle("GET", "tag/list", s.tagList)
}

// visibleMemberLocked looks a userid up: 60111 when it does not exist, 60011 when it is outside the app's
// visibility.
func (s *Server) visibleMemberLocked(id string) (*Member, *apiError) {
	m := s.org.memberFold(id)
	switch {
	case id == "" || m == nil:
		return nil, errf(codeUserIDNotFound, "userid not found: %q", id)
	case !m.Visible:
		return nil, errf(codeNoPrivilege, "no privilege to access/modify contact/party/agent: %q is outside the app's visibility", id)
	}
	return m, nil
}

// userGet is GET user/get?userid= (读取成员, DOC/96255, 2025/03/06). It answers like an app created before
// 2022-06-20: later apps no longer get mobile/gender/email/avatar/address here, only through OAuth
// (auth/getuserdetail). open_userid is for third-party apps only and is left out.
func (s *Server) userGet(c *apiCall) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.visibleMemberLocked(c.query("userid"))
	if aerr != nil {
		return nil, aerr
	}
	isLeader := make([]int, len(m.Department))
	order := make([]int, len(m.Department))
	for i, id := range m.Department {
		if d := s.org.department(id); d != nil && slices.Contains(d.Leaders, m.UserID) {
			isLeader[i] = 1
		}
	}
	main := 0
	if len(m.Department) > 0 {
		main = m.Department[0]
	}
	return obj{
		"userid":            m.UserID,
		"name":              m.Name,
		"department":        slices.Clone(m.Department),
		"order":             order,
		"position":          m.Position,
		"mobile":            m.Mobile,
		"gender":            m.Gender,
		"email":             m.Email,
		"biz_mail":          "",
		"is_leader_in_dept": isLeader,
		"direct_leader":     []string{},
		"avatar":            avatarURL(m.UserID),
		"thumb_avatar":      avatarURL(m.UserID) + "/100",
		"telephone":         "",
		"alias":             "",
		"address":           "",
		"extattr":           obj{"attrs": []any{}},
		"status":            m.Status,
		"qr_code":           qrCodeURL(m.UserID),
		"external_position": "",
		"external_profile":  obj{"external_attr": []any{}},
		"main_department":   main,
	}, nil
}

func avatarURL(userid string) string { return "https://wework.qpic.cn/emulator/avatar/" + userid }
func qrCodeURL(userid string) string {
	return "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=emulator-" + userid
}

// departmentIDParam parses a department id query parameter.
func departmentIDParam(c *apiCall, name string) (int, bool, *apiError) {
	v := c.query(name)
	if v == "" {
		return 0, false, nil
	}
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return 0, true, errf(codeInvalidDepartment, "invalid department id %q", v)
	}
	return id, true, nil
}

func (s *Server) departmentObjLocked(d *Department) obj {
	var leaders []string
	for _, u := range d.Leaders {
		if m := s.org.member(u); m != nil && m.Visible { // "返回在应用可见范围内的部门负责人列表"
			leaders = append(leaders, u)
		}
	}
	return obj{"id": d.ID, "name": d.Name, "name_en": d.NameEn, "department_leader": orEmpty(leaders),
		"parentid": d.ParentID, "order": d.Order}
}

// departmentList is GET department/list?id= (获取部门列表, DOC/90344): the department and its whole subtree,
// or the full tree without id. WeCom calls it slow and suggests department/simplelist + department/get.
func (s *Server) departmentList(c *apiCall) (obj, *apiError) {
	id, given, aerr := departmentIDParam(c, "id")
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !given {
		id = 1
	}
	if s.org.department(id) == nil {
		return nil, errf(codeInvalidDepartment, "invalid department id %d", id)
	}
	sub := s.org.subDepartments(id)
	list := []obj{}
	for _, d := range s.org.Departments {
		if slices.Contains(sub, d.ID) {
			list = append(list, s.departmentObjLocked(d))
		}
	}
	return obj{"department": list}, nil
}

// departmentGet is GET department/get?id= (获取单个部门详情, DOC/95407).
func (s *Server) departmentGet(c *apiCall) (obj, *apiError) {
	id, given, aerr := departmentIDParam(c, "id")
	if aerr != nil {
		return nil, aerr
	}
	if !given {
		return nil, errInvalidParam("id missing")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.org.department(id)
	if d == nil {
		return nil, errf(codeInvalidDepartment, "invalid department id %d", id)
	}
	return obj{"department": s.departmentObjLocked(d)}, nil
}

// userSimpleList is GET user/simplelist?department_id=&fetch_child= (获取部门成员). The current page
// (DOC/96259, 2022/08/22) no longer lists fetch_child and tells callers to walk sub-departments themselves;
// older copies document fetch_child=1 as recursive, which is what this emulates. Members outside the app's
// visibility are left out.
func (s *Server) userSimpleList(c *apiCall) (obj, *apiError) {
	id, given, aerr := departmentIDParam(c, "department_id")
	if aerr != nil {
		return nil, aerr
	}
	if !given {
		return nil, errInvalidParam("department_id missing")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org.department(id) == nil {
		return nil, errf(codeInvalidDepartment, "invalid department id %d", id)
	}
	depts := []int{id}
	if c.query("fetch_child") == "1" {
		depts = s.org.subDepartments(id)
	}
	list := []obj{}
	for _, m := range s.org.Members {
		if m.Visible && slices.ContainsFunc(m.Department, func(d int) bool { return slices.Contains(depts, d) }) {
			list = append(list, obj{"userid": m.UserID, "name": m.Name, "department": slices.Clone(m.Department)})
		}
	}
	return obj{"userlist": list}, nil
}

// tagGet is GET tag/get?tagid= (获取标签成员, DOC/90349): only members inside the app's visibility are listed.
// 40068 covers both a missing and an unknown tagid (DOC/90313).
func (s *Server) tagGet(c *apiCall) (obj, *apiError) {
	v := c.query("tagid")
	id, err := strconv.Atoi(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.org.tag(id)
	if err != nil || t == nil {
		return nil, errf(codeInvalidTagID, "invalid tagid %q", v)
	}
	users := []obj{}
	for _, u := range t.UserIDs {
		if m := s.org.member(u); m != nil && m.Visible {
			users = append(users, obj{"userid": m.UserID, "name": m.Name})
		}
	}
	return obj{"tagname": t.Name, "userlist": users, "partylist": append([]int{}, t.PartyIDs...)}, nil
}

// tagList is GET tag/list (获取标签列表, DOC/90352): a self-built app sees every tag.
func (s *Server) tagList(*apiCall) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []obj{}
	for _, t := range s.org.Tags {
		list = append(list, obj{"tagid": t.ID, "tagname": t.Name})
	}
	return obj{"taglist": list}, nil
}
