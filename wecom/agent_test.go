package wecom

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAgentGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/90227's sample answer.
	handle(t, mux, "agent/get", "GET", "", url.Values{"agentid": {"1000002"}}, `{"errcode":0,"errmsg":"ok",
		"agentid":1000002,"name":"HR助手","square_logo_url":"https://p.qlogo.cn/x/0","description":"HR服务与员工自助平台",
		"allow_userinfos":{"user":[{"userid":"zhangshan"},{"userid":"lisi"}]},"allow_partys":{"partyid":[1]},
		"allow_tags":{"tagid":[1,2,3]},"close":0,"redirect_domain":"open.work.weixin.qq.com","report_location_flag":0,
		"isreportenter":0,"home_url":"https://open.work.weixin.qq.com","customized_publish_status":1}`)
	a, err := c.Agent.Get(t.Context(), 0) // 0: the client's own agentid
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"zhangshan", "lisi"}, a.AllowUsers()); diff != "" {
		t.Errorf("AllowUsers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1}, a.AllowParties()); diff != "" {
		t.Errorf("AllowParties (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, a.AllowTagIDs()); diff != "" {
		t.Errorf("AllowTagIDs (-want +got):\n%s", diff)
	}
	if a.AgentID != 1000002 || a.RedirectDomain != "open.work.weixin.qq.com" || a.Name != "HR助手" {
		t.Errorf("agent = %+v", a)
	}
}

func TestAgentGet_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "agent/get", []validationCase{
		{"negative agentid", "agentid", func(c *Client) error { _, err := c.Agent.Get(t.Context(), -1); return err }},
	})
}
