package emulator

import (
	"fmt"
	"slices"
	"testing"
)

func TestAdminOpenUserIDToUserID(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.post("batch/openuserid_to_userid", map[string]any{"source_agentid": OpenUserIDAgent,
		"open_userid_list": []string{"woAAAlisiOPENxxxx", "woAAAzhoubaOPENxx", "woNOSUCH", "woAAAwangwuOPENxx", "woAAAlisiOPENxxxx"}}))
	admWantKeys(t, "openuserid_to_userid", r, "errcode", "errmsg", "userid_list", "invalid_open_userid_list")
	var pairs []string
	for _, v := range r.list("userid_list") {
		o := admObj(t, v)
		admWantKeys(t, "pair", o, "open_userid", "userid")
		pairs = append(pairs, o.str("open_userid")+"="+o.str("userid"))
	}
	if !slices.Equal(pairs, []string{"woAAAlisiOPENxxxx=lisi", "woAAAwangwuOPENxx=wangwu"}) {
		t.Errorf("userid_list %v", pairs)
	}
	// zhouba is outside this app's visibility: "需要同时在两个应用的可见范围内".
	if got := admStrs(r.list("invalid_open_userid_list")); !slices.Equal(got, []string{"woAAAzhoubaOPENxx", "woNOSUCH"}) {
		t.Errorf("invalid_open_userid_list %v", got)
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("wo%04d", i)
	}
	e.wantCode(e.post("batch/openuserid_to_userid", map[string]any{"source_agentid": OpenUserIDAgent, "open_userid_list": many}), 40058)
	e.ok(e.post("batch/openuserid_to_userid", map[string]any{"source_agentid": OpenUserIDAgent, "open_userid_list": many[:1000]}))
	e.wantCode(e.post("batch/openuserid_to_userid", map[string]any{"source_agentid": OpenUserIDAgent, "open_userid_list": []string{}}), 40058)
	e.wantCode(e.post("batch/openuserid_to_userid", map[string]any{"open_userid_list": []string{"woAAAlisiOPENxxxx"}}), 40058)
	e.wantCode(e.post("batch/openuserid_to_userid", map[string]any{"source_agentid": e.s.opts.AgentID,
		"open_userid_list": []string{"woAAAlisiOPENxxxx"}}), 40056)
}

func TestAdminFromServiceExternalUserID(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.post("externalcontact/from_service_external_userid", map[string]any{
		"external_userid": "wmSVClinhuoban00000000000002", "source_agentid": OpenUserIDAgent}))
	admWantKeys(t, "from_service_external_userid", r, "errcode", "errmsg", "external_userid")
	if r.str("external_userid") != "wmAAAlinhuoban000000000000002" {
		t.Errorf("external_userid %q", r.str("external_userid"))
	}
	e.wantCode(e.post("externalcontact/from_service_external_userid", map[string]any{
		"external_userid": "wmSVCnosuch", "source_agentid": OpenUserIDAgent}), 40096)
	e.wantCode(e.post("externalcontact/from_service_external_userid", map[string]any{
		"external_userid": "wmSVClinhuoban00000000000002", "source_agentid": 1}), 40056)
	e.wantCode(e.post("externalcontact/from_service_external_userid", map[string]any{"source_agentid": OpenUserIDAgent}), 40058)
	e.wantCode(e.post("externalcontact/from_service_external_userid", map[string]any{"external_userid": "wmSVClinhuoban00000000000002"}), 40058)
	// A customer whose only follower leaves the app's visibility is no longer convertible.
	e.s.WithOrg(func(o *Org) { o.member("lisi").Visible = false })
	e.wantCode(e.post("externalcontact/from_service_external_userid", map[string]any{
		"external_userid": "wmSVCchenkehu000000000000001", "source_agentid": OpenUserIDAgent}), 40096)
}

func TestAdminConvertTmpExternalUserID(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.post("idconvert/convert_tmp_external_userid", map[string]any{"business_type": 1, "user_type": 1,
		"tmp_external_userid_list": []string{"ouTMPmeetChen000000000000001", "ouTMPformChen000000000000003",
			"ouTMPmeetLin0000000000000002", "ouTMPnosuch", "ouTMPmeetHulian0000000000004"}}))
	admWantKeys(t, "convert_tmp_external_userid", r, "errcode", "errmsg", "results", "invalid_tmp_external_userid_list")
	var got []string
	for _, v := range r.list("results") {
		o := admObj(t, v)
		admWantKeys(t, "customer result", o, "tmp_external_userid", "external_userid")
		got = append(got, o.str("external_userid"))
	}
	if !slices.Equal(got, []string{"wmAAAchenkehu0000000000000001", "wmAAAlinhuoban000000000000002"}) {
		t.Errorf("results %v", got)
	}
	// A tmp id converts only with the business_type and user_type it was issued for.
	if inv := admStrs(r.list("invalid_tmp_external_userid_list")); !slices.Equal(inv, []string{"ouTMPformChen000000000000003",
		"ouTMPnosuch", "ouTMPmeetHulian0000000000004"}) {
		t.Errorf("invalid %v", inv)
	}
	for _, tc := range []struct {
		bt, ut       int
		tmp          string
		corp, userid string
	}{
		{1, 2, "ouTMPmeetHulian0000000000004", "wwPARTNERcorp000001", "liuqiang"},
		{3, 3, "ouTMPdocChain00000000000005", "wwUPSTREAMcorp00002", "chenwei"},
		{1, 4, "ouTMPmeetCircle0000000000006", "wwCIRCLEcorp0000003", "zhouyi"},
	} {
		r := e.ok(e.post("idconvert/convert_tmp_external_userid", map[string]any{"business_type": tc.bt,
			"user_type": tc.ut, "tmp_external_userid_list": []string{tc.tmp}}))
		res := r.list("results")
		if len(res) != 1 {
			t.Fatalf("user_type %d: %v", tc.ut, r)
		}
		o := admObj(t, res[0])
		admWantKeys(t, "member result", o, "tmp_external_userid", "corpid", "userid")
		if o.str("corpid") != tc.corp || o.str("userid") != tc.userid {
			t.Errorf("user_type %d: %v", tc.ut, o)
		}
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("ou%03d", i)
	}
	for _, body := range []map[string]any{
		{"business_type": 4, "user_type": 1, "tmp_external_userid_list": many[:1]},
		{"business_type": 0, "user_type": 1, "tmp_external_userid_list": many[:1]},
		{"business_type": 1, "user_type": 5, "tmp_external_userid_list": many[:1]},
		{"business_type": 1, "tmp_external_userid_list": many[:1]},
		{"business_type": 1, "user_type": 1, "tmp_external_userid_list": many},
		{"business_type": 1, "user_type": 1, "tmp_external_userid_list": []string{}},
	} {
		e.wantCode(e.post("idconvert/convert_tmp_external_userid", body), 40058)
	}
	r = e.ok(e.post("idconvert/convert_tmp_external_userid", map[string]any{"business_type": 1, "user_type": 1,
		"tmp_external_userid_list": many[:100]}))
	if len(r.list("invalid_tmp_external_userid_list")) != 100 || len(r.list("results")) != 0 {
		t.Errorf("100 unknown ids: %v", r)
	}
}
