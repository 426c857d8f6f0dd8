package main

// The desks' commands are tested next to their code (bot/security, bot/people) through commandtest's harness.
// What stays here checks them as newApp wires them into the running bot.

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestSampleAccess_commandtest checks that the desks' harness runs with the sample access config the bot's
// tests and demo use.
func TestSampleAccess_commandtest(t *testing.T) {
	cfg := testConfig(t, "127.0.0.1:1", "http://127.0.0.1:2", "unused.db")
	var roles []access.Role
	for name, r := range cfg.Access.Roles {
		roles = append(roles, access.Role{Name: name, Members: r.Members, Perms: r.Permissions})
	}
	sort.Slice(roles, func(i, j int) bool { return roles[i].Name < roles[j].Name })
	if diff := cmp.Diff(cfg.Access.Admins, commandtest.SampleAdmins); diff != "" {
		t.Errorf("commandtest.SampleAdmins differ from sampleAccessTOML (-toml +commandtest):\n%s", diff)
	}
	if diff := cmp.Diff(roles, commandtest.SampleRoles); diff != "" {
		t.Errorf("commandtest.SampleRoles differ from sampleAccessTOML (-toml +commandtest):\n%s", diff)
	}
}

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
