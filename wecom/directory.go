package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// UserService reads members (通讯录成员) within the app's visibility.
type UserService service

// DepartmentService reads departments within the app's visibility.
type DepartmentService service

// TagService reads member tags (标签).
type TagService service

// Gender is a member's or contact's gender. user/get sends it as a string ("1"), externalcontact/get as a
// number; Gender accepts both.
type Gender int

// Genders.
const (
	GenderUnspecified Gender = 0
	GenderMale        Gender = 1
	GenderFemale      Gender = 2
)

var genderNames = map[Gender]string{
	GenderUnspecified: "unspecified (未定义)",
	GenderMale:        "male (男)",
	GenderFemale:      "female (女)",
}

func (g Gender) String() string { return enumName("Gender", g, genderNames) }

// UnmarshalJSON accepts 1, "1", "" and null.
func (g *Gender) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*g = GenderUnspecified
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("wecom: gender %q is not a number", s)
		}
		*g = Gender(n)
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*g = Gender(n)
	return nil
}

// UserStatus is a member's activation status.
type UserStatus int

// Member statuses.
const (
	UserActive      UserStatus = 1
	UserDisabled    UserStatus = 2
	UserNotActive   UserStatus = 4
	UserLeftCompany UserStatus = 5
)

var userStatusNames = map[UserStatus]string{
	UserActive:      "activated (已激活)",
	UserDisabled:    "disabled (已禁用)",
	UserNotActive:   "not activated (未激活)",
	UserLeftCompany: "left the company (退出企业)",
}

func (s UserStatus) String() string { return enumName("UserStatus", s, userStatusNames) }

// User is a member as user/get returns it. Since 2022-06-20 apps created after that date (and not the contact
// sync app) no longer get avatar, gender, mobile, email, biz_mail, qr_code and address here; those come from
// OAuth (OAuthService.GetUserDetail) with the member's consent.
type User struct {
	UserID           string     `json:"userid"`
	Name             string     `json:"name"`
	Department       []int      `json:"department"`
	Order            []int      `json:"order"`
	Position         string     `json:"position"`
	Mobile           string     `json:"mobile"`
	Gender           Gender     `json:"gender"`
	Email            string     `json:"email"`
	BizMail          string     `json:"biz_mail"`
	IsLeaderInDept   []int      `json:"is_leader_in_dept"` // 1 where the member leads the department at the same index
	DirectLeader     []string   `json:"direct_leader"`
	Avatar           string     `json:"avatar"`
	ThumbAvatar      string     `json:"thumb_avatar"`
	Telephone        string     `json:"telephone"`
	Alias            string     `json:"alias"`
	Address          string     `json:"address"`
	OpenUserID       string     `json:"open_userid"` // third-party apps only
	MainDepartment   int        `json:"main_department"`
	Status           UserStatus `json:"status"`
	QRCode           string     `json:"qr_code"`
	ExternalPosition string     `json:"external_position"`
}

// Get reads a member.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90196
//
//meta:operation GET /cgi-bin/user/get
func (s *UserService) Get(ctx context.Context, userID string) (*User, error) {
	const op = "user/get"
	if err := required(op, "userid", userID); err != nil {
		return nil, err
	}
	var u User
	if err := s.client.get(ctx, op, url.Values{"userid": {userID}}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// SimpleUser is a member as user/simplelist returns it.
type SimpleUser struct {
	UserID     string `json:"userid"`
	Name       string `json:"name"`
	Department []int  `json:"department"`
	OpenUserID string `json:"open_userid"` // third-party apps only
}

// ListSimple lists the members of a department; with fetchChild, of its sub-departments too. (WeCom's newer
// copies of this page drop fetch_child and ask callers to walk sub-departments themselves; it is sent only
// when true.)
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90200
//
//meta:operation GET /cgi-bin/user/simplelist
func (s *UserService) ListSimple(ctx context.Context, deptID int, fetchChild bool) ([]SimpleUser, error) {
	const op = "user/simplelist"
	if deptID <= 0 {
		return nil, invalid(op, "department_id", "required")
	}
	q := url.Values{"department_id": {strconv.Itoa(deptID)}}
	if fetchChild {
		q.Set("fetch_child", "1")
	}
	var out struct {
		UserList []SimpleUser `json:"userlist"`
	}
	if err := s.client.get(ctx, op, q, &out); err != nil {
		return nil, err
	}
	return out.UserList, nil
}

// Department is a department; the root's id is 1 and its ParentID 0.
type Department struct {
	ID               int      `json:"id"`
	Name             string   `json:"name"`
	NameEn           string   `json:"name_en"`
	DepartmentLeader []string `json:"department_leader"`
	ParentID         int      `json:"parentid"`
	Order            int64    `json:"order"` // larger first; [0, 2^32)
}

// List lists department id and its sub-departments, recursively; id 0 lists every department the app can see.
// WeCom notes the API is slow for large organisations.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90208
//
//meta:operation GET /cgi-bin/department/list
func (s *DepartmentService) List(ctx context.Context, id int) ([]Department, error) {
	const op = "department/list"
	if id < 0 {
		return nil, invalid(op, "id", "negative")
	}
	var q url.Values
	if id > 0 {
		q = url.Values{"id": {strconv.Itoa(id)}}
	}
	var out struct {
		Department []Department `json:"department"`
	}
	if err := s.client.get(ctx, op, q, &out); err != nil {
		return nil, err
	}
	return out.Department, nil
}

// Get reads one department.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/95351
//
//meta:operation GET /cgi-bin/department/get
func (s *DepartmentService) Get(ctx context.Context, id int) (*Department, error) {
	const op = "department/get"
	if id <= 0 {
		return nil, invalid(op, "id", "required")
	}
	var out struct {
		Department Department `json:"department"`
	}
	if err := s.client.get(ctx, op, url.Values{"id": {strconv.Itoa(id)}}, &out); err != nil {
		return nil, err
	}
	return &out.Department, nil
}

// Tag is a member tag.
type Tag struct {
	TagID   int    `json:"tagid"`
	TagName string `json:"tagname"`
}

// TagMembers is a tag with its members and departments (only those within the app's visibility).
type TagMembers struct {
	TagName   string    `json:"tagname"`
	UserList  []TagUser `json:"userlist"`
	PartyList []int     `json:"partylist"`
}

// TagUser is a member of a tag.
type TagUser struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
}

// Get reads a tag's members.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90213
//
//meta:operation GET /cgi-bin/tag/get
func (s *TagService) Get(ctx context.Context, tagID int) (*TagMembers, error) {
	const op = "tag/get"
	if tagID < 0 {
		return nil, invalid(op, "tagid", "negative")
	}
	var out TagMembers
	if err := s.client.get(ctx, op, url.Values{"tagid": {strconv.Itoa(tagID)}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List lists the corp's tags.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90216
//
//meta:operation GET /cgi-bin/tag/list
func (s *TagService) List(ctx context.Context) ([]Tag, error) {
	const op = "tag/list"
	var out struct {
		TagList []Tag `json:"taglist"`
	}
	if err := s.client.get(ctx, op, nil, &out); err != nil {
		return nil, err
	}
	return out.TagList, nil
}
