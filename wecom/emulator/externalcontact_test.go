package emulator_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
)

func TestExternalContactGet(t *testing.T) {
	ts, tok := emu(t, testOptions())
	ts.WithOrg(func(o *emulator.Org) {
		o.ExternalContacts = append(o.ExternalContacts, &emulator.ExternalContact{
			ExternalUserID: "wmHIDDEN", Name: "隐客户", Type: 1, FollowUsers: []string{"zhouba"}})
	})
	r := call(t, ts, "GET", "externalcontact/get", tok, url.Values{"external_userid": {"wmAAAlinhuoban000000000000002"}})
	wantCode(t, r, 0)
	ec := r["external_contact"].(map[string]any)
	if ec["name"] != "林伙伴" || ec["type"].(float64) != 2 || ec["corp_name"] != "合作伙伴有限公司" || ec["gender"].(float64) != 2 {
		t.Errorf("external_contact = %v", ec)
	}
	if got := ids(r["follow_user"], "userid"); !slices.Equal(got, []string{"zhangsan", "wangwu"}) {
		t.Errorf("follow_user = %v", got)
	}
	r = call(t, ts, "GET", "externalcontact/get", tok, url.Values{"external_userid": {"wmAAAchenkehu0000000000000001"}})
	if _, ok := r["external_contact"].(map[string]any)["corp_name"]; ok {
		t.Error("a WeChat customer (type 1) has no corp_name")
	}
	wantCode(t, call(t, ts, "GET", "externalcontact/get", tok, url.Values{"external_userid": {"wmNOPE"}}), 40096)
	wantCode(t, call(t, ts, "GET", "externalcontact/get", tok, url.Values{"external_userid": {"wmHIDDEN"}}), 84061)
}
