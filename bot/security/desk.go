// Package security is the security desk: commands over WeCom's 安全管理 APIs — trusted devices (/devices),
// member, admin, file and screen operation logs (/oplog), and the corp's domains and IPs (/domainip), whose
// snapshots the alerts also diff. cmd/bot registers Commands.
package security

import (
	"errors"
	"maps"
	"strings"

	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// pageFlag is --page of every paged list. Its help is a literal (an id /help translates): desk_test checks
// it names replies.PerPage.
var pageFlag = commands.Flag{Name: "page", Kind: commands.Int, Min: 1, Max: 500, Help: "which page of the list (20 per page)"}

// fileCodes are get_file_oper_record's own errcodes (DOC/90313, wecom-notes.md), each a whole message.
var fileCodes = map[int]string{
	701100: i18n.N("WeCom answered errcode %d on %s: WeCom refused the time range. A corp without 微盘专业版 can only query the last 90 days of file records: try a shorter --since or a later --from."),
	701101: i18n.N("WeCom answered errcode %d on %s: WeCom refused the page size (at most 1,000)."),
	701102: i18n.N("WeCom answered errcode %d on %s: WeCom refused the user list (at most 100 userids)."),
	701103: i18n.N("WeCom answered errcode %d on %s: WeCom does not know that operation type; try one of the --op words."),
	701104: i18n.N("WeCom answered errcode %d on %s: WeCom does not know that source; use one of the --source words."),
	701105: i18n.N("WeCom answered errcode %d on %s: WeCom refused the paging cursor; run the command again."),
}

// wecomErr phrases the WeCom errcodes whose generic hint is not enough here: 48002 names the admin-console list
// for the API that refused (from the APIs' own docs: DOC/98920, 100178, 100179, 98079, 100128, 100079; the
// domain/IP page calls its list 可调用API的应用), 60011 and 60111 name the member (users are the userids the
// request named), 60003 the department, and the file records' 7011xx codes what to change. Anything else is
// returned as it is. Each variant is one whole message, so that it is translated whole where it is shown.
func wecomErr(err error, users ...string) error {
	var we *wecom.Error
	if err == nil || !errors.As(err, &we) {
		return err
	}
	switch we.Code {
	case wecom.CodeAPIForbidden:
		switch op := we.Op; {
		case strings.HasPrefix(op, "security/trustdevice/"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「安全与管理 - 设备管理 - 可调用接口的应用」.", op)
		case strings.HasPrefix(op, "security/member_oper_log/"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「使用分析」 → the member operation records' 「API」 panel → 「可调用接口的应用」 (the app also needs 「获取成员操作记录」).", op)
		case strings.HasPrefix(op, "security/admin_oper_log/"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「使用分析」 → the admin operation log's 「API」 panel → 「可调用接口的应用」 (the app also needs 「获取管理端操作日志」).", op)
		case strings.HasPrefix(op, "security/get_file_oper_record"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「文件防泄漏 - 可调用接口的应用」.", op)
		case strings.HasPrefix(op, "security/get_screen_oper_record"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「截屏/录屏管理 - 可调用接口的应用」.", op)
		case strings.HasPrefix(op, "security/get_server_domain_ip"):
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom refused %s (errcode 48002): this app is not allowed to call it. In the admin console, add the app to 「我的企业 - 设置 - 域名IP - 可调用API的应用」 (its 可调用接口的应用 list).", op)
		}
	case wecom.CodeNoPrivilege:
		switch {
		case len(users) == 1:
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom answered errcode 60011 on %s: %s is outside this app's visibility. Add them to the app's 可见范围 (应用管理 → the app), or ask about someone the app can see.", we.Op, bot.Markdown(replies.Code(users[0])))
		case len(users) > 1:
			return bot.Wrap(bot.EFORBIDDEN, err, "WeCom answered errcode 60011 on %s: one of %s is outside this app's visibility. Add them to the app's 可见范围 (应用管理 → the app), or ask about someone the app can see.", we.Op, bot.Markdown(codeList(users)))
		}
		return bot.Wrap(bot.EFORBIDDEN, err, "WeCom answered errcode 60011 on %s: a member named in the request is outside this app's visibility. Add them to the app's 可见范围 (应用管理 → the app), or ask about someone the app can see.", we.Op)
	case wecom.CodeUserNotFound:
		if len(users) == 1 {
			return bot.Wrap(bot.ENOTFOUND, err, "WeCom answered errcode 60111 on %s: there is no member %s. A userid is the account (账号) in the admin console, not the display name.", we.Op, bot.Markdown(replies.Code(users[0])))
		}
		return bot.Wrap(bot.ENOTFOUND, err, "WeCom answered errcode 60111 on %s: one of the userids asked for does not exist. A userid is the account (账号) in the admin console, not the display name.", we.Op)
	case 50100:
		return bot.Wrap(bot.EUNAVAILABLE, err, "WeCom answered errcode 50100 on %s: it refused the paging cursor (the list may have changed while it was read). Run the command again.", we.Op)
	case 60003:
		return bot.Wrap(bot.ENOTFOUND, err, "WeCom answered errcode 60003 on %s: no such department. Department ids are shown in the admin console (通讯录).", we.Op)
	}
	if format, ok := fileCodes[we.Code]; ok && we.Op == "security/get_file_oper_record" {
		return bot.Wrap(bot.EINVALID, err, format, we.Code, we.Op)
	}
	return err
}

// pageFor returns the page --page asks for and its footer (in grey, in the member's language: what is shown
// and how to see more, as replies.Page says it), or no footer when everything fits on the first page.
func pageFor[T any](items []T, inv *commands.Invocation) ([]T, string) {
	n := inv.FlagInt("page")
	page, footer := replies.Page(items, n, withoutPage(inv))
	if footer == "" || (len(items) <= replies.PerPage && n <= 1) {
		return page, ""
	}
	p := inv.P
	n = max(n, 1)
	total := len(items)
	start := (n - 1) * replies.PerPage
	end := min(start+replies.PerPage, total)
	switch {
	case start >= total:
		footer = p.Sprintf("page %d is past the end: %d in all (%d pages)", n, total, (total+replies.PerPage-1)/replies.PerPage)
	case end < total:
		footer = p.Sprintf("showing %d–%d of %d — %s --page %d", start+1, end, total, withoutPage(inv), n+1)
	default:
		footer = p.Sprintf("showing %d–%d of %d", start+1, end, total)
	}
	return page, replies.Font(replies.Comment, replies.Escape(footer))
}

// withoutPage is the invocation's command line without --page, for a paging footer.
func withoutPage(inv *commands.Invocation) string {
	flags := maps.Clone(inv.Flags)
	delete(flags, "page")
	return commands.Format(inv.Command, inv.Args, flags)
}

// codeList shows values as code spans joined by commas.
func codeList(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = replies.Code(v)
	}
	return strings.Join(out, ", ")
}
