package emulator

// Address-book changes and the change_contact events WeCom pushes for them (DOC/90376 通讯录变更事件,
// DOC/96304 标签变更通知, DOC/96302 成员变更通知): a tag's members added or removed (update_tag with TagId and
// comma-separated AddUserItems/DelUserItems), a member created (create_user) or moved to other departments
// (update_user), each with UserID and Department, a member deleted (delete_user with UserID). FromUserName is
// "sys". Since 2022-08-15 a member event carries only UserID (and Department) of the member's fields.

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ChangeTagMembers adds and removes members of tag tagID, as an admin does in the console, and returns the
// update_tag event WeCom pushes for it (deliver it with Deliver). Userids that are not members are refused;
// adding a member already tagged, or removing one who is not, changes nothing and is not reported.
func (s *Server) ChangeTagMembers(tagID int, add, del []string) ([]byte, error) {
	s.mu.Lock()
	t := s.org.tag(tagID)
	if t == nil {
		s.mu.Unlock()
		return nil, &controlError{status: http.StatusBadRequest, msg: "no tag " + strconv.Itoa(tagID)}
	}
	var added, removed []string
	for _, u := range add {
		m := s.org.memberFold(u)
		if m == nil {
			s.mu.Unlock()
			return nil, &controlError{status: http.StatusBadRequest, msg: "unknown member " + strconv.Quote(u)}
		}
		if !slices.Contains(t.UserIDs, m.UserID) {
			t.UserIDs = append(t.UserIDs, m.UserID)
			added = append(added, m.UserID)
		}
	}
	for _, u := range del {
		m := s.org.memberFold(u)
		if m == nil {
			s.mu.Unlock()
			return nil, &controlError{status: http.StatusBadRequest, msg: "unknown member " + strconv.Quote(u)}
		}
		if i := slices.Index(t.UserIDs, m.UserID); i >= 0 {
			t.UserIDs = slices.Delete(t.UserIDs, i, i+1)
			removed = append(removed, m.UserID)
		}
	}
	s.mu.Unlock()
	fields := map[string]string{"ChangeType": "update_tag", "TagId": strconv.Itoa(tagID)}
	if len(added) > 0 {
		fields["AddUserItems"] = strings.Join(added, ",")
	}
	if len(removed) > 0 {
		fields["DelUserItems"] = strings.Join(removed, ",")
	}
	return s.Event("sys", "change_contact", fields), nil
}

// DeleteMember deletes a member (and their tag memberships) and returns the delete_user event.
func (s *Server) DeleteMember(userid string) ([]byte, error) {
	s.mu.Lock()
	m := s.org.memberFold(userid)
	if m == nil {
		s.mu.Unlock()
		return nil, &controlError{status: http.StatusBadRequest, msg: "unknown member " + strconv.Quote(userid)}
	}
	id := m.UserID
	s.org.Members = slices.DeleteFunc(s.org.Members, func(x *Member) bool { return x.UserID == id })
	for _, t := range s.org.Tags {
		t.UserIDs = slices.DeleteFunc(t.UserIDs, func(u string) bool { return u == id })
	}
	s.mu.Unlock()
	return s.Event("sys", "change_contact", map[string]string{"ChangeType": "delete_user", "UserID": id}), nil
}

// CreateMember adds a member to the organisation, in departments depts, visible to the app, and returns the
// create_user event. A userid already taken (in any case) or an unknown department is refused.
func (s *Server) CreateMember(userid, name string, depts []int) ([]byte, error) {
	s.mu.Lock()
	if userid == "" || s.org.memberFold(userid) != nil {
		s.mu.Unlock()
		return nil, &controlError{status: http.StatusBadRequest, msg: "userid " + strconv.Quote(userid) + " is empty or taken"}
	}
	if err := s.checkDepartments(depts); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.org.Members = append(s.org.Members, &Member{UserID: userid, Name: name, Department: slices.Clone(depts), Status: 1, Visible: true})
	s.mu.Unlock()
	return s.Event("sys", "change_contact", map[string]string{"ChangeType": "create_user", "UserID": userid,
		"Department": joinInts(depts)}), nil
}

// MoveMember sets a member's departments and returns the update_user event, which names them.
func (s *Server) MoveMember(userid string, depts []int) ([]byte, error) {
	s.mu.Lock()
	m := s.org.memberFold(userid)
	if m == nil {
		s.mu.Unlock()
		return nil, &controlError{status: http.StatusBadRequest, msg: "unknown member " + strconv.Quote(userid)}
	}
	if err := s.checkDepartments(depts); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	m.Department = slices.Clone(depts)
	id := m.UserID
	s.mu.Unlock()
	return s.Event("sys", "change_contact", map[string]string{"ChangeType": "update_user", "UserID": id,
		"Department": joinInts(depts)}), nil
}

// checkDepartments refuses an empty list or an unknown department; s.mu is held.
func (s *Server) checkDepartments(depts []int) error {
	if len(depts) == 0 {
		return &controlError{status: http.StatusBadRequest, msg: "a member needs at least one department"}
	}
	for _, d := range depts {
		if s.org.department(d) == nil {
			return &controlError{status: http.StatusBadRequest, msg: "no department " + strconv.Itoa(d)}
		}
	}
	return nil
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}

// MoveDepartment puts department id under parent, as an admin does in the console, and returns the
// update_party event (Id, ParentId). The root cannot move, and a department cannot go under itself or one of
// its own sub-departments.
func (s *Server) MoveDepartment(id, parent int) ([]byte, error) {
	s.mu.Lock()
	d, p := s.org.department(id), s.org.department(parent)
	if d == nil || p == nil || id == 1 {
		s.mu.Unlock()
		return nil, &controlError{status: http.StatusBadRequest, msg: "no such department, or the root"}
	}
	for a := p; a != nil; a = s.org.department(a.ParentID) { // the root's ParentID, 0, is no department
		if a.ID == id {
			s.mu.Unlock()
			return nil, &controlError{status: http.StatusBadRequest, msg: "a department cannot go under itself"}
		}
	}
	d.ParentID = parent
	s.mu.Unlock()
	return s.Event("sys", "change_contact", map[string]string{"ChangeType": "update_party", "Id": strconv.Itoa(id),
		"ParentId": strconv.Itoa(parent)}), nil
}

// DeleteDepartment deletes an empty department and returns the delete_party event; WeCom (DOC/90207)
// refuses to delete one that still has members or sub-departments, and the root.
func (s *Server) DeleteDepartment(id int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.org.department(id) == nil || id == 1 {
		return nil, &controlError{status: http.StatusBadRequest, msg: "no such department, or the root"}
	}
	for _, d := range s.org.Departments {
		if d.ParentID == id {
			return nil, &controlError{status: http.StatusBadRequest, msg: "department " + strconv.Itoa(id) + " has sub-departments (DOC/90207: 不能删除含有子部门、成员的部门)"}
		}
	}
	for _, m := range s.org.Members {
		if slices.Contains(m.Department, id) {
			return nil, &controlError{status: http.StatusBadRequest, msg: "department " + strconv.Itoa(id) + " has members (DOC/90207: 不能删除含有子部门、成员的部门)"}
		}
	}
	s.org.Departments = slices.DeleteFunc(s.org.Departments, func(d *Department) bool { return d.ID == id })
	return s.Event("sys", "change_contact", map[string]string{"ChangeType": "delete_party", "Id": strconv.Itoa(id)}), nil
}

// ctlMoveDepartment is POST /_emulator/move-department {"id":5,"parent_id":3}.
func (s *Server) ctlMoveDepartment(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		ID       int `json:"id"`
		ParentID int `json:"parent_id"`
	}) ([]byte, error) {
		return s.MoveDepartment(q.ID, q.ParentID)
	})
}

// ctlDeleteDepartment is POST /_emulator/delete-department {"id":5}.
func (s *Server) ctlDeleteDepartment(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		ID int `json:"id"`
	}) ([]byte, error) {
		return s.DeleteDepartment(q.ID)
	})
}

// ctlCreateUser is POST /_emulator/create-user {"userid":"liuyi","name":"刘一","department":[3]}.
func (s *Server) ctlCreateUser(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		UserID     string `json:"userid"`
		Name       string `json:"name"`
		Department []int  `json:"department"`
	}) ([]byte, error) {
		return s.CreateMember(q.UserID, q.Name, q.Department)
	})
}

// ctlMoveUser is POST /_emulator/move-user {"userid":"lisi","department":[3]}.
func (s *Server) ctlMoveUser(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		UserID     string `json:"userid"`
		Department []int  `json:"department"`
	}) ([]byte, error) {
		return s.MoveMember(q.UserID, q.Department)
	})
}

// ctlTagMembers is POST /_emulator/tag-members {"tag_id":1,"add":["lisi"],"del":["wujiu"]}.
func (s *Server) ctlTagMembers(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		TagID int      `json:"tag_id"`
		Add   []string `json:"add"`
		Del   []string `json:"del"`
	}) ([]byte, error) {
		return s.ChangeTagMembers(q.TagID, q.Add, q.Del)
	})
}

// ctlDeleteUser is POST /_emulator/delete-user {"userid":"wujiu"}.
func (s *Server) ctlDeleteUser(r *http.Request) (any, error) {
	return deliverChange(s, r, func(q struct {
		UserID string `json:"userid"`
	}) ([]byte, error) {
		return s.DeleteMember(q.UserID)
	})
}

// deliverChange is a control request that changes the organisation: it decodes the request into Q, makes the
// change, and delivers the change_contact event WeCom pushes for it.
func deliverChange[Q any](s *Server, r *http.Request, change func(Q) ([]byte, error)) (any, error) {
	var q Q
	if err := readControl(r, &q); err != nil {
		return nil, err
	}
	ev, err := change(q)
	if err != nil {
		return nil, err
	}
	return s.deliver(r, ev, nil)
}
