package wecom_test

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestMenu_create: a menu within WeCom's limits is set; one outside them is refused by the client before it
// is sent, and by the emulator as WeCom does when it is sent anyway.
func TestMenu_create(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	m := &wecom.Menu{Button: []wecom.MenuButton{
		{Type: "click", Name: "待我审批", Key: "menu:0"},
		{Name: "安全", SubButton: []wecom.MenuButton{{Type: "click", Name: "安全告警", Key: "menu:1.0"}, {Type: "click", Name: "设备", Key: "menu:1.1"}}},
		{Type: "click", Name: "帮助", Key: "menu:2"},
	}}
	if err := c.Menu.Create(t.Context(), 0, m); err != nil {
		t.Fatal(err)
	}
	if got := string(emu.Menu()); !strings.Contains(got, `"menu:1.1"`) || !strings.Contains(got, "安全告警") {
		t.Fatalf("emulator's menu = %s", got)
	}
	var ve *wecom.ValidationError
	for name, bad := range map[string]*wecom.Menu{
		"four buttons": {Button: []wecom.MenuButton{{Type: "click", Name: "a", Key: "1"}, {Type: "click", Name: "b", Key: "2"},
			{Type: "click", Name: "c", Key: "3"}, {Type: "click", Name: "d", Key: "4"}}},
		"long name":     {Button: []wecom.MenuButton{{Type: "click", Name: "一二三四五六", Key: "1"}}}, // 18 bytes
		"click, no key": {Button: []wecom.MenuButton{{Type: "click", Name: "a"}}},
	} {
		if err := c.Menu.Create(t.Context(), 0, bad); !errors.As(err, &ve) {
			t.Errorf("%s: %v; want a ValidationError before sending", name, err)
		}
	}
	// The emulator refuses what WeCom refuses (sent raw, past the client's checks).
	token := emu.AccessToken(t)
	for body, code := range map[string]string{
		`{"button":[]}`: "40016",
		`{"button":[{"type":"click","name":"一二三四五六","key":"k"}]}`: "40018",
		`{"button":[{"type":"click","name":"a"}]}`:                "40019",
	} {
		got := postRaw(t, emu.URL+"/cgi-bin/menu/create?agentid="+strconv.Itoa(emu.Options().AgentID)+"&access_token="+token, body)
		if !strings.Contains(got, `"errcode":`+code) {
			t.Errorf("menu/create %s = %s; want errcode %s", body, got, code)
		}
	}
}

func postRaw(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
