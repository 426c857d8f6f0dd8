package emulator

// WeCom's error answers: an errcode and an errmsg carrying a hint and a doc link.

import "fmt"

// apiError is a WeCom errcode answer.
type apiError struct {
	Code int
	Msg  string
}

func (e *apiError) Error() string { return fmt.Sprintf("errcode %d: %s", e.Code, e.Msg) }

// errf builds a WeCom error answer. WeCom's errmsg carries a hint and a doc link; clients must branch on the
// code, never the message, and so must our tests.
func errf(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Msg: fmt.Sprintf(format, args...) +
		fmt.Sprintf(", more info at https://open.work.weixin.qq.com/devtool/query?e=%d", code)}
}

// Common WeCom errors.
func errInvalidParam(format string, args ...any) *apiError { return errf(40058, format, args...) }

// errWrongJSON is WeCom's answer to a body that is not the JSON the API expects (DOC/90455).
func errWrongJSON(format string, args ...any) *apiError {
	return errf(40058, "Warning: wrong json format. invalid Request Parameter: "+format, args...)
}

// Errcodes the handlers name; the meaning is DOC/90313's (xen0n/go-workwx errcodes/mod.go).
const (
	codeInvalidMsgType    = 40008  // 不合法的msgtype参数
	codeUserListTooLong   = 40032  // 不合法的UserID列表长度 (message/send: ≤1000)
	codeInvalidAgentID    = 40056  // 不合法的agentid
	codeMissingMediaID    = 41006  // 缺少media_id参数
	codeMissingTitle      = 41016  // 缺少title参数
	codeTaskID            = 42014  // "taskid has existed or empty or exceed max len" (seen from WeCom, see report)
	codeEmptyContent      = 44004  // 文本消息content参数为空
	codeContentTooLong    = 45002  // 消息内容大小超过限制
	codeAllInvalid        = 81013  // UserID、部门ID、标签ID全部非法或无权限
	codeAllEmpty          = 82001  // 指定的成员/部门/标签全部为空
	codeInvalidChatID     = 86001  // 参数 chatid 不合法
	codeChatOwner         = 86005  // 参数 群主不合法
	codeChatMemberCount   = 86006  // 群成员数过多或过少
	codeChatMember        = 86007  // 不合法的群成员
	codeNotOwnChat        = 86008  // 非法操作非自己创建的群
	codeNoAppPermission   = 301002 // 无权限操作指定的应用
	codeInvalidTagID      = 40068  // 不合法的标签ID
	codeUserIDNotFound    = 60111  // UserID不存在
	codeNoPrivilege       = 60011  // 指定的成员/部门/标签参数无权限
	codeInvalidDepartment = 60123  // 无效的部门id
	codeInvalidOAuthCode  = 40029  // 不合法的oauth_code
	codeInvalidExternal   = 40096  // 不合法的外部联系人userid
	codeNoExternalRelated = 84061  // 不存在外部联系人的关系
)
