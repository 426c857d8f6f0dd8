package main

// The desks' commands are tested next to their code (bot/security, bot/people) through commandtest's harness.
// What stays here checks them as newApp wires them into the running bot.

import (
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestAdminDesk_eightAnswers is issue 5's smoke test: an admin sends eight commands across the desks and gets
// eight answers, and the emulator saw the real endpoints called.
func TestAdminDesk_eightAnswers(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for _, c := range []struct{ line, api string }{
		{"/devices unknown", "security/trustdevice/list"},
		{"/oplog member --since 3d", "security/member_oper_log/list"},
		{"/oplog admin --since 3d", "security/admin_oper_log/list"},
		{"/oplog files --since 3d", "security/get_file_oper_record"},
		{"/domainip", "security/get_server_domain_ip"},
		{"/vip list", "security/vip/list"},
		{"/staff fields", "hr/get_fields"},
		{"/order list --user sunqi", "advanced_feature/get_apply_id_list"},
	} {
		got := s.say(t, "zhangsan", c.line)
		if len(got) == 0 || strings.TrimSpace(got[0]) == "" {
			t.Errorf("%s: no answer", c.line)
			continue
		}
		if contains(got, "not allowed") || contains(got, "errcode") || contains(got, "Internal error") {
			t.Errorf("%s: answered %q", c.line, got)
		}
		calls := s.emu.CallsTo(c.api)
		if len(calls) == 0 || calls[len(calls)-1].ErrCode != 0 {
			t.Errorf("%s: the emulator saw no successful %s call", c.line, c.api)
		}
	}
}
