package commands

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// securityDesk returns the device, log and domain/IP commands: WeCom's 安全管理 APIs (seed 000 S1–S6).
//
// The helpers these files share are prefixed sec; those of one file take its prefix (dev, oplog, dip), so that
// they cannot collide with the people desk's in this package.
func securityDesk(d Deps) []*Command {
	var out []*Command
	out = append(out, deviceCommands(d)...)
	out = append(out, oplogCommands(d)...)
	out = append(out, domainIPCommands(d)...)
	return out
}

// secUserIDRE matches a WeCom userid: 1–64 bytes of letters, digits and _-@., starting with a letter or digit
// (DOC/90195, 创建成员).
var secUserIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// secPageFlag is --page of every paged list.
var secPageFlag = Flag{Name: "page", Kind: Int, Min: 1, Max: 500, Help: fmt.Sprintf("which page of the list (%d per page)", PerPage)}

// secConsole says where in the admin console an app is allowed to call each family of security APIs: errcode
// 48002 means it is not in that list. From the APIs' own docs (DOC/98920, 100178, 100179, 98079, 100128,
// 100079); the domain/IP page calls its list 可调用API的应用.
var secConsole = []struct{ prefix, where string }{
	{"security/trustdevice/", "「安全与管理 - 设备管理 - 可调用接口的应用」"},
	{"security/member_oper_log/", "「使用分析」 → the member operation records' 「API」 panel → 「可调用接口的应用」 (the app also needs 「获取成员操作记录」)"},
	{"security/admin_oper_log/", "「使用分析」 → the admin operation log's 「API」 panel → 「可调用接口的应用」 (the app also needs 「获取管理端操作日志」)"},
	{"security/get_file_oper_record", "「文件防泄漏 - 可调用接口的应用」"},
	{"security/get_screen_oper_record", "「截屏/录屏管理 - 可调用接口的应用」"},
	{"security/get_server_domain_ip", "「我的企业 - 设置 - 域名IP - 可调用API的应用」 (its 可调用接口的应用 list)"},
}

// secFileCodes are get_file_oper_record's own errcodes (DOC/90313, wecom-notes.md).
var secFileCodes = map[int]string{
	701100: "WeCom refused the time range. A corp without 微盘专业版 can only query the last 90 days of file records: try a shorter --since or a later --from",
	701101: "WeCom refused the page size (at most 1,000)",
	701102: "WeCom refused the user list (at most 100 userids)",
	701103: "WeCom does not know that operation type; try one of the --op words",
	701104: "WeCom does not know that source; use one of the --source words",
	701105: "WeCom refused the paging cursor; run the command again",
}

// secErr phrases the WeCom errcodes whose generic hint is not enough here: 48002 names the admin-console list
// for the API that refused, 60011 and 60111 name the member (users are the userids the request named), 60003
// the department, and the file records' 7011xx codes what to change. Anything else is returned as it is.
func secErr(err error, users ...string) error {
	var we *wecom.Error
	if err == nil || !errors.As(err, &we) {
		return err
	}
	who := "a member named in the request"
	if len(users) == 1 {
		who = replies.Code(users[0])
	} else if len(users) > 1 {
		who = "one of " + secCodes(users)
	}
	switch we.Code {
	case wecom.CodeAPIForbidden:
		for _, c := range secConsole {
			if strings.HasPrefix(we.Op, c.prefix) {
				return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. "+
					"In the admin console, add the app to %s.", we.Op, c.where)
			}
		}
	case wecom.CodeNoPrivilege:
		return bot.Wrap(bot.EFORBIDDEN, err, "WeCom answered errcode 60011 on %s: %s is outside this app's visibility. "+
			"Add them to the app's 可见范围 (应用管理 → the app), or ask about someone the app can see.", we.Op, bot.Markdown(who))
	case wecom.CodeUserNotFound:
		missing := "one of the userids asked for does not exist"
		if len(users) == 1 {
			missing = "there is no member " + who
		}
		return bot.Wrap(bot.ENOTFOUND, err, "WeCom answered errcode 60111 on %s: %s. "+
			"A userid is the account (账号) in the admin console, not the display name.", we.Op, bot.Markdown(missing))
	case 50100:
		return bot.Wrap(bot.EUNAVAILABLE, err, "WeCom answered errcode 50100 on %s: it refused the paging cursor "+
			"(the list may have changed while it was read). Run the command again.", we.Op)
	case 60003:
		return bot.Wrap(bot.ENOTFOUND, err, "WeCom answered errcode 60003 on %s: no such department. "+
			"Department ids are shown in the admin console (通讯录).", we.Op)
	}
	if hint, ok := secFileCodes[we.Code]; ok && we.Op == "security/get_file_oper_record" {
		return bot.Wrap(bot.EINVALID, err, "WeCom answered errcode %d on %s: %s.", we.Code, we.Op, hint)
	}
	return err
}

// secPage returns the page --page asks for and its footer (pageOf's, in grey), or no footer when everything
// fits on the first page.
func secPage[T any](items []T, inv *Invocation) ([]T, string) {
	n := inv.FlagInt("page")
	page, footer := pageOf(items, n, secMore(inv))
	if footer == "" || (len(items) <= PerPage && n <= 1) {
		return page, ""
	}
	return page, replies.Font(replies.Comment, replies.Escape(footer))
}

// secMore is the invocation's command line without --page, for a paging footer.
func secMore(inv *Invocation) string {
	flags := maps.Clone(inv.Flags)
	delete(flags, "page")
	return Format(inv.Command, inv.Args, flags)
}

// secUnique returns vs without repeats, in first-seen order.
func secUnique(vs []string) []string {
	seen := make(map[string]bool, len(vs))
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// secUserList reads a comma-separated list of userids (a flag's value): at most MaxMany, each valid.
func secUserList(flag, v string) ([]string, error) {
	var out []string
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if !secUserIDRE.MatchString(u) {
			return nil, bot.Errorf(bot.EINVALID, "--%s: %q is not a userid (letters, digits and _-@. only; the account in the admin console, not the display name)", flag, u)
		}
		out = append(out, u)
	}
	out = secUnique(out)
	switch {
	case len(out) == 0:
		return nil, bot.Errorf(bot.EINVALID, "--%s needs at least one userid, like lisi or lisi,wangwu", flag)
	case len(out) > MaxMany:
		return nil, bot.Errorf(bot.EINVALID, "--%s: at most %d userids at once, got %d", flag, MaxMany, len(out))
	}
	return out, nil
}

// secCodes shows values as code spans joined by commas.
func secCodes(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = replies.Code(v)
	}
	return strings.Join(out, ", ")
}

// secPlural is "1 device" or "3 devices".
func secPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
