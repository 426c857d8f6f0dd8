package wecom_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wecombot/wecombot/wecom"
)

func TestParseInbound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xml  string
		want wecom.Inbound
		kind string
	}{
		{"text (V2b plaintext)", `<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>`,
			wecom.Inbound{ToUserName: "ww1436e0e65a779aee", FromUserName: "ChenJiaShun", CreateTime: 1476422779, MsgType: "text",
				Content: "你好", MsgID: "1456453720", AgentID: "1000002"}, "text"},
		{"template_card_event", `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[key111]]></EventKey><TaskId><![CDATA[taskid111]]></TaskId><CardType><![CDATA[text_notice]]></CardType><ResponseCode><![CDATA[ResponseCode]]></ResponseCode><AgentID>1</AgentID><SelectedItems><SelectedItem><QuestionKey><![CDATA[QuestionKey1]]></QuestionKey><OptionIds><OptionId><![CDATA[OptionId1]]></OptionId><OptionId><![CDATA[OptionId2]]></OptionId></OptionIds></SelectedItem><SelectedItem><QuestionKey><![CDATA[QuestionKey2]]></QuestionKey><OpitonIds><OpitonId><![CDATA[OptionId3]]></OpitonId></OpitonIds></SelectedItem></SelectedItems></xml>`,
			wecom.Inbound{ToUserName: "toUser", FromUserName: "FromUser", CreateTime: 123456789, MsgType: "event", Event: "template_card_event",
				EventKey: "key111", TaskID: "taskid111", CardType: "text_notice", ResponseCode: "ResponseCode", AgentID: "1",
				SelectedItems: []wecom.SelectedItem{{QuestionKey: "QuestionKey1", OptionIDs: []string{"OptionId1", "OptionId2"}},
					{QuestionKey: "QuestionKey2", OptionIDs2: []string{"OptionId3"}}}}, "event:template_card_event"},
		{"security change_domain_ip", `<xml><ToUserName><![CDATA[wx28dbb14e3720FAKE]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[security]]></Event><ChangeType><![CDATA[change_domain_ip]]></ChangeType></xml>`,
			wecom.Inbound{ToUserName: "wx28dbb14e3720FAKE", FromUserName: "sys", CreateTime: 1403610513, MsgType: "event", Event: "security", ChangeType: "change_domain_ip"}, "event:security"},
		{"change_contact update_tag (DOC/96304)", `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[update_tag]]></ChangeType><TagId>1</TagId><AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems><DelUserItems><![CDATA[zhangsan1,lisi1]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems><DelPartyItems><![CDATA[3,4]]></DelPartyItems></xml>`,
			wecom.Inbound{ToUserName: "toUser", FromUserName: "sys", CreateTime: 1403610513, MsgType: "event", Event: "change_contact", ChangeType: "update_tag",
				TagID: "1", AddUserItems: "zhangsan,lisi", DelUserItems: "zhangsan1,lisi1", AddPartyItems: "1,2", DelPartyItems: "3,4"}, "event:change_contact"},
		{"change_contact update_user with a new userid (DOC/96302)", `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>update_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID><NewUserID><![CDATA[zhangsan001]]></NewUserID><Department><![CDATA[1,2,3]]></Department></xml>`,
			wecom.Inbound{ToUserName: "toUser", FromUserName: "sys", CreateTime: 1403610513, MsgType: "event", Event: "change_contact", ChangeType: "update_user",
				UserID: "zhangsan", NewUserID: "zhangsan001", Department: "1,2,3"}, "event:change_contact"},
		{"change_contact update_party (DOC/90971)", `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>update_party</ChangeType><Id>2</Id><Name><![CDATA[张三]]></Name><ParentId><![CDATA[1]]></ParentId></xml>`,
			wecom.Inbound{ToUserName: "toUser", FromUserName: "sys", CreateTime: 1403610513, MsgType: "event", Event: "change_contact", ChangeType: "update_party",
				PartyID: "2", ParentID: "1"}, "event:change_contact"},
		{"submit_vip_account_approval", `<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1715741759</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[submit_vip_account_approval]]></Event><ApplyReason><![CDATA[需要大附件]]></ApplyReason><BusinessType>1</BusinessType><ApplyId><![CDATA[AP1]]></ApplyId><AgentID>1000002</AgentID></xml>`,
			wecom.Inbound{ToUserName: "ww1", FromUserName: "lisi", CreateTime: 1715741759, MsgType: "event", Event: "submit_vip_account_approval",
				ApplyReason: "需要大附件", BusinessType: "1", ApplyID: "AP1", AgentID: "1000002"}, "event:submit_vip_account_approval"},
		{"unknown kind is kept", `<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>hologram</MsgType><MsgId>9</MsgId></xml>`,
			wecom.Inbound{ToUserName: "c", FromUserName: "u", CreateTime: 1, MsgType: "hologram", MsgID: "9"}, "hologram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wecom.ParseInbound([]byte(tt.xml))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("ParseInbound mismatch (-want +got):\n%s", diff)
			}
			if got.Kind() != tt.kind {
				t.Errorf("Kind() = %q; want %q", got.Kind(), tt.kind)
			}
		})
	}
}

func TestParseInbound_rejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "not xml", "<xml><MsgType>text</MsgType></xml>", "<root><MsgType>text</MsgType><FromUserName>a</FromUserName></root>",
		"<xml><FromUserName>a</FromUserName></xml>", "<xml><FromUserName>a</FromUserName><MsgType>text</MsgType>",
		strings.Repeat("<", 2<<20),
	} {
		if _, err := wecom.ParseInbound([]byte(in)); err == nil {
			t.Errorf("ParseInbound(%.40q) = nil error", in)
		}
	}
}

func TestDedupeKey(t *testing.T) {
	t.Parallel()
	parse := func(s string) *wecom.Inbound {
		m, err := wecom.ParseInbound([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	text := parse(`<xml><FromUserName>lisi</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>a</Content><MsgId>42</MsgId></xml>`)
	if text.DedupeKey() != "msg:42" {
		t.Errorf("text key = %q; want msg:42", text.DedupeKey())
	}
	ev := func(extra string) string {
		return parse(`<xml><FromUserName>lisi</FromUserName><CreateTime>100</CreateTime><MsgType>event</MsgType>` + extra + `</xml>`).DedupeKey()
	}
	keys := map[string]string{
		"click A":       ev(`<Event>click</Event><EventKey>A</EventKey>`),
		"click B":       ev(`<Event>click</Event><EventKey>B</EventKey>`),
		"card approve":  ev(`<Event>template_card_event</Event><EventKey>approve</EventKey><TaskId>t1</TaskId><ResponseCode>r1</ResponseCode>`),
		"card approve2": ev(`<Event>template_card_event</Event><EventKey>approve</EventKey><TaskId>t2</TaskId><ResponseCode>r2</ResponseCode>`),
		"enter":         ev(`<Event>enter_agent</Event>`),
		"apply 1":       ev(`<Event>submit_vip_account_approval</Event><ApplyId>1</ApplyId>`),
		"apply 2":       ev(`<Event>submit_vip_account_approval</Event><ApplyId>2</ApplyId>`),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if !strings.HasPrefix(k, "evt:") || len(k) > 40 {
			t.Errorf("%s: key %q; want evt: and bounded", name, k)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("events %q and %q share key %s: different events in one second must not merge", name, other, k)
		}
		seen[k] = name
	}
	// The same event delivered again has the same key.
	if ev(`<Event>click</Event><EventKey>A</EventKey>`) != keys["click A"] {
		t.Error("redelivered event got a different key")
	}
}

// FuzzParseInbound: any input yields an error or a message whose key is stable; never a panic.
func FuzzParseInbound(f *testing.F) {
	f.Add([]byte(`<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>`))
	f.Add([]byte(`<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>template_card_event</Event><SelectedItems><SelectedItem><OptionIds><OptionId>x</OptionId></OptionIds></SelectedItem></SelectedItems></xml>`))
	f.Add([]byte(`<xml><FromUserName><![CDATA[a]]]]><![CDATA[>]]></FromUserName><MsgType>event</MsgType><CreateTime>-1</CreateTime></xml>`))
	f.Add([]byte(`<xml><FromUserName>sys</FromUserName><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_tag</ChangeType><TagId>1</TagId><AddUserItems>a,b</AddUserItems><DelUserItems>c</DelUserItems></xml>`))
	f.Add([]byte(`<xml><FromUserName>sys</FromUserName><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_user</ChangeType><UserID>u</UserID><ExtAttr><Item><Name>x</Name></Item></ExtAttr></xml>`))
	f.Add([]byte(`<xml><FromUserName>sys</FromUserName><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_user</ChangeType><UserID>u</UserID><Department><![CDATA[1,2]]></Department></xml>`))
	f.Add([]byte(`<xml><FromUserName>sys</FromUserName><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_party</ChangeType><Id>5</Id><ParentId>3</ParentId></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wecom.ParseInbound(b)
		if err != nil {
			return
		}
		if m.FromUserName == "" || m.MsgType == "" {
			t.Fatalf("parsed without required fields: %+v", m)
		}
		if k1, k2 := m.DedupeKey(), m.DedupeKey(); k1 != k2 || k1 == "" {
			t.Fatalf("unstable key %q %q", k1, k2)
		}
	})
}
