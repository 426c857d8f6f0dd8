package wecom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// externalContactResponse follows DOC/92114's sample (external_profile left out).
const externalContactResponse = `{
	"errcode": 0, "errmsg": "ok",
	"external_contact": {
		"external_userid": "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "name": "李四", "position": "Manager",
		"avatar": "https://p.qlogo.cn/bizmail/IcsdgagqefergqerhewSdage/0", "corp_name": "腾讯",
		"corp_full_name": "腾讯科技有限公司", "type": 2, "gender": 1, "unionid": "ozynqsulJFCZ2z1aYeS8h-nuasdAAA"
	},
	"follow_user": [{
		"userid": "rocky", "remark": "李部长", "description": "对接采购事务", "createtime": 1525779812,
		"tags": [{"group_name": "标签分组名称", "tag_name": "标签名称", "tag_id": "etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "type": 1}],
		"remark_corp_name": "腾讯科技", "remark_mobiles": ["13800000001", "13000000002"],
		"oper_userid": "rocky", "add_way": 1, "state": "外联二维码1"
	}],
	"next_cursor": ""
}`

var externalContactDetail = &ExternalContactDetail{
	ExternalContact: ExternalContact{
		ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Name: "李四", Position: "Manager",
		Avatar: "https://p.qlogo.cn/bizmail/IcsdgagqefergqerhewSdage/0", CorpName: "腾讯",
		CorpFullName: "腾讯科技有限公司", Type: ExternalWeCom, Gender: GenderMale, UnionID: "ozynqsulJFCZ2z1aYeS8h-nuasdAAA",
	},
	FollowUser: []FollowUser{{
		UserID: "rocky", Remark: "李部长", Description: "对接采购事务", CreateTime: 1525779812,
		Tags:           []FollowUserTag{{GroupName: "标签分组名称", TagName: "标签名称", TagID: "etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Type: 1}},
		RemarkCorpName: "腾讯科技", RemarkMobiles: []string{"13800000001", "13000000002"},
		OperUserID: "rocky", AddWay: 1, State: "外联二维码1",
	}},
}

func TestExternalContactGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "externalcontact/get", "GET", "", url.Values{"external_userid": {"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}},
		externalContactResponse)
	got, err := c.ExternalContact.Get(t.Context(), "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(externalContactDetail, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func TestExternalContactGet_followUserPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var (
		mu    sync.Mutex
		pages []string
	)
	mux.HandleFunc("/cgi-bin/externalcontact/get", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testAccessToken(t, r)
		cursor := r.URL.Query().Get("cursor")
		mu.Lock()
		pages = append(pages, cursor)
		mu.Unlock()
		next := map[string]string{"": "c1", "c1": "c2", "c2": ""}[cursor]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"wm1","name":"n","type":1},`+
			`"follow_user":[{"userid":"u%s"}],"next_cursor":%q}`, cursor, next)
	})
	got, err := c.ExternalContact.Get(t.Context(), "wm1")
	if err != nil {
		t.Fatal(err)
	}
	want := &ExternalContactDetail{
		ExternalContact: ExternalContact{ExternalUserID: "wm1", Name: "n", Type: ExternalWeChat},
		FollowUser:      []FollowUser{{UserID: "u"}, {UserID: "uc1"}, {UserID: "uc2"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"", "c1", "c2"}, pages); diff != "" {
		t.Errorf("cursors mismatch (-want +got):\n%s", diff)
	}
}

func TestExternalContactGet_repeatedCursor(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/externalcontact/get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","follow_user":[],"next_cursor":"same"}`)
	})
	if _, err := c.ExternalContact.Get(t.Context(), "wm1"); !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("Get = %v; want ErrTooManyPages", err)
	}
}

func TestExternalContactFromServiceExternalUserID(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "externalcontact/from_service_external_userid", "POST",
		`{"external_userid":"wmSVC1","source_agentid":2000001}`, nil,
		`{"errcode":0,"errmsg":"ok","external_userid":"wmAAA1"}`)
	got, err := c.ExternalContact.FromServiceExternalUserID(t.Context(), "wmSVC1", 2000001)
	if err != nil {
		t.Fatal(err)
	}
	if got != "wmAAA1" {
		t.Errorf("FromServiceExternalUserID = %q; want wmAAA1", got)
	}
}

func TestExternalContact_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "externalcontact/get", []validationCase{
		{"no id", "external_userid", func(c *Client) error { _, err := c.ExternalContact.Get(t.Context(), ""); return err }},
	})
	runValidation(t, "externalcontact/from_service_external_userid", []validationCase{
		{"no id", "external_userid", func(c *Client) error {
			_, err := c.ExternalContact.FromServiceExternalUserID(t.Context(), "", 1)
			return err
		}},
		{"no agent", "source_agentid", func(c *Client) error {
			_, err := c.ExternalContact.FromServiceExternalUserID(t.Context(), "wm", 0)
			return err
		}},
	})
}

func TestExternalContactEnums(t *testing.T) {
	t.Parallel()
	testEnums(t, []enumCase{
		{ExternalWeChat, "WeChat user (微信用户)"},
		{ExternalWeCom, "WeCom user (企业微信用户)"},
		{ExternalContactType(3), "ExternalContactType(3)"},
	})
}
