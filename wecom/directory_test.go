package wecom

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUserGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/90196's sample (extattr and external_profile are not decoded), plus status, qr_code and
	// external_position from its parameter table.
	handle(t, mux, "user/get", "GET", "", url.Values{"userid": {"zhangsan"}}, `{
		"errcode": 0, "errmsg": "ok",
		"userid": "zhangsan", "name": "张三", "department": [1, 2], "order": [1, 2], "position": "后台工程师",
		"mobile": "13800000000", "gender": "1", "email": "zhangsan@qq.com", "biz_mail": "zhangsan@tencent.com",
		"is_leader_in_dept": [1, 0], "direct_leader": ["lisi"],
		"avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
		"thumb_avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/100",
		"telephone": "020-123456", "alias": "jackzhang", "address": "广州市海珠区新港中路", "open_userid": "xxxxxx",
		"main_department": 1,
		"extattr": {"attrs": [{"type": 0, "name": "文本名称", "text": {"value": "文本"}}]},
		"status": 1, "qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx",
		"external_position": "产品经理"
	}`)
	got, err := c.User.Get(t.Context(), "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	want := &User{
		UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, Order: []int{1, 2}, Position: "后台工程师",
		Mobile: "13800000000", Gender: GenderMale, Email: "zhangsan@qq.com", BizMail: "zhangsan@tencent.com",
		IsLeaderInDept: []int{1, 0}, DirectLeader: []string{"lisi"},
		Avatar:      "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
		ThumbAvatar: "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/100",
		Telephone:   "020-123456", Alias: "jackzhang", Address: "广州市海珠区新港中路", OpenUserID: "xxxxxx",
		MainDepartment: 1, Status: UserActive, QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx",
		ExternalPosition: "产品经理",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func TestUserGet_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "user/get", []validationCase{
		{"no userid", "userid", func(c *Client) error { _, err := c.User.Get(t.Context(), ""); return err }},
	})
}

func TestUserListSimple(t *testing.T) {
	t.Parallel()
	// DOC/90200's sample.
	const resp = `{"errcode":0,"errmsg":"ok","userlist":[{"userid":"zhangsan","name":"张三","department":[1,2],"open_userid":"xxxxxx"}]}`
	want := []SimpleUser{{UserID: "zhangsan", Name: "张三", Department: []int{1, 2}, OpenUserID: "xxxxxx"}}
	for _, fetchChild := range []bool{false, true} {
		c, mux := setup(t)
		q := url.Values{"department_id": {"2"}}
		if fetchChild {
			q.Set("fetch_child", "1")
		}
		handle(t, mux, "user/simplelist", "GET", "", q, resp)
		got, err := c.User.ListSimple(t.Context(), 2, fetchChild)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListSimple(2, %v) mismatch (-want +got):\n%s", fetchChild, diff)
		}
	}
}

func TestUserListSimple_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "user/simplelist", []validationCase{
		{"no department", "department_id", func(c *Client) error {
			_, err := c.User.ListSimple(t.Context(), 0, false)
			return err
		}},
	})
}

func TestDepartmentList(t *testing.T) {
	t.Parallel()
	// DOC/90208's sample.
	const resp = `{"errcode":0,"errmsg":"ok","department":[
		{"id":2,"name":"广州研发中心","name_en":"RDGZ","department_leader":["zhangsan","lisi"],"parentid":1,"order":10},
		{"id":3,"name":"邮箱产品部","name_en":"mail","department_leader":["lisi","wangwu"],"parentid":2,"order":40}]}`
	want := []Department{
		{ID: 2, Name: "广州研发中心", NameEn: "RDGZ", DepartmentLeader: []string{"zhangsan", "lisi"}, ParentID: 1, Order: 10},
		{ID: 3, Name: "邮箱产品部", NameEn: "mail", DepartmentLeader: []string{"lisi", "wangwu"}, ParentID: 2, Order: 40},
	}
	for _, tc := range []struct {
		id int
		q  url.Values
	}{{2, url.Values{"id": {"2"}}}, {0, nil}} {
		c, mux := setup(t)
		handle(t, mux, "department/list", "GET", "", tc.q, resp)
		got, err := c.Department.List(t.Context(), tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("List(%d) mismatch (-want +got):\n%s", tc.id, diff)
		}
	}
}

func TestDepartmentGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/95351's sample.
	handle(t, mux, "department/get", "GET", "", url.Values{"id": {"2"}}, `{"errcode":0,"errmsg":"ok","department":
		{"id":2,"name":"广州研发中心","name_en":"RDGZ","department_leader":["zhangsan","lisi"],"parentid":1,"order":10}}`)
	got, err := c.Department.Get(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &Department{ID: 2, Name: "广州研发中心", NameEn: "RDGZ", DepartmentLeader: []string{"zhangsan", "lisi"},
		ParentID: 1, Order: 10}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func TestDepartment_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "department/get", []validationCase{
		{"no id", "id", func(c *Client) error { _, err := c.Department.Get(t.Context(), 0); return err }},
	})
	runValidation(t, "department/list", []validationCase{
		{"negative id", "id", func(c *Client) error { _, err := c.Department.List(t.Context(), -1); return err }},
	})
}

func TestTagGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/90213's sample.
	handle(t, mux, "tag/get", "GET", "", url.Values{"tagid": {"1"}},
		`{"errcode":0,"errmsg":"ok","tagname":"乒乓球协会","userlist":[{"userid":"zhangsan","name":"李四"}],"partylist":[2]}`)
	got, err := c.Tag.Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := &TagMembers{TagName: "乒乓球协会", UserList: []TagUser{{UserID: "zhangsan", Name: "李四"}}, PartyList: []int{2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func TestTagList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "tag/list", "GET", "", nil,
		`{"errcode":0,"errmsg":"ok","taglist":[{"tagid":1,"tagname":"a"},{"tagid":2,"tagname":"b"}]}`)
	got, err := c.Tag.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Tag{{TagID: 1, TagName: "a"}, {TagID: 2, TagName: "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
}

func TestTagGet_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "tag/get", []validationCase{
		{"negative", "tagid", func(c *Client) error { _, err := c.Tag.Get(t.Context(), -1); return err }},
	})
}

func TestUserGender_unmarshal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Gender{`"1"`: GenderMale, `2`: GenderFemale, `""`: GenderUnspecified,
		`null`: GenderUnspecified, `"0"`: GenderUnspecified} {
		var g Gender
		if err := json.Unmarshal([]byte(in), &g); err != nil || g != want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", in, g, err, want)
		}
	}
	var g Gender
	if err := json.Unmarshal([]byte(`"male"`), &g); err == nil {
		t.Errorf(`Unmarshal("male") succeeded; want an error`)
	}
}

func TestUserEnums(t *testing.T) {
	t.Parallel()
	testEnums(t, []enumCase{
		{GenderMale, "male (男)"},
		{GenderFemale, "female (女)"},
		{GenderUnspecified, "unspecified (未定义)"},
		{Gender(9), "Gender(9)"},
		{UserActive, "activated (已激活)"},
		{UserLeftCompany, "left the company (退出企业)"},
		{UserStatus(3), "UserStatus(3)"},
	})
}
