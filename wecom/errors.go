package wecom

import (
	"errors"
	"fmt"
	"time"
)

// WeCom errcodes the client and its callers branch on. WeCom says errmsg may change: branch on these, never on
// the message. Source: DOC/90313 (全局错误码), via wecom-protocol.md §4.
const (
	CodeSystemBusy          = -1
	CodeInvalidSecret       = 40001
	CodeInvalidCorpID       = 40013
	CodeInvalidToken        = 40014
	CodeInvalidAgentID      = 40056
	CodeInvalidParameter    = 40058
	CodeMissingToken        = 41001
	CodeTokenExpired        = 42001
	CodeEmptyContent        = 44004
	CodeContentTooLong      = 45002
	CodeFreqLimit           = 45009
	CodeConcurrencyLimit    = 45033
	CodeAPIForbidden        = 48002
	CodeNoPrivilege         = 60011
	CodeUntrustedIP         = 60020
	CodeUserNotFound        = 60111
	CodeAllInvalid          = 81013
	CodeChatNotYours        = 86008
	CodeAppNotAuthorised    = 301002
	CodeInvalidCredentials2 = 40091
)

// Error is a non-zero errcode returned by a WeCom API.
type Error struct {
	Op   string // the API path, e.g. "security/vip/list"
	Code int    // WeCom's errcode: branch on this, never on Msg
	Msg  string // WeCom's errmsg, as received
	Hint string // what to do about it, for the common codes; may be empty
	// RetryAt is set on 45009: WeCom blocks an API that exceeded its minute limit for 60 s and one that
	// exceeded its hour limit for 60 min (DOC/90454), so calling it again before RetryAt only burns calls.
	RetryAt time.Time
}

func (e *Error) Error() string {
	s := fmt.Sprintf("wecom %s: errcode %d: %s", e.Op, e.Code, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Temporary reports whether repeating the call later may succeed.
func (e *Error) Temporary() bool {
	switch e.Code {
	case CodeSystemBusy, CodeFreqLimit, CodeConcurrencyLimit:
		return true
	}
	return false
}

// RetryAt returns when WeCom lets an API be called again after err, or the zero time when err is not a
// blocked quota (45009).
func RetryAt(err error) time.Time {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeFreqLimit {
		return e.RetryAt
	}
	return time.Time{}
}

// IsCode reports whether err is (or wraps) a WeCom *Error with the errcode.
func IsCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// ErrorCode returns the WeCom errcode carried by err, or 0 when err is not a WeCom error.
func ErrorCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// hints say what an operator does about the common codes. They name the admin-console settings in the
// console's own words, since that is what the operator will look for.
var hints = map[int]string{
	CodeSystemBusy:       "WeCom is busy; retried with backoff",
	CodeInvalidSecret:    "wrong app secret: check wecom.secret (应用管理 → the app → Secret)",
	CodeInvalidCorpID:    "wrong corp id: check wecom.corp_id (我的企业 → 企业信息 → 企业ID)",
	CodeInvalidToken:     "access_token invalid; the client refetches it once",
	CodeTokenExpired:     "access_token expired; the client refetches it once",
	CodeInvalidAgentID:   "wrong agent id: check wecom.agent_id",
	CodeFreqLimit:        "WeCom's rate limit for this API is exhausted (blocked 60 s after its minute limit, 60 min after its hour limit)",
	CodeConcurrencyLimit: "too many concurrent calls to this API; lower the concurrency",
	CodeAPIForbidden: "the app is not authorised for this API: in the admin console add the app to the API's " +
		"「可调用接口的应用」 list (安全与管理 / 高级功能 / 人事助手 settings)",
	CodeNoPrivilege:         "the member, department or tag is outside the app's visibility (应用 → 可见范围)",
	CodeUntrustedIP:         "this server's egress IP is not trusted: add it to the app's 「企业可信IP」 (takes about a minute)",
	CodeUserNotFound:        "no such userid",
	CodeAllInvalid:          "every recipient is invalid or outside the app's visibility",
	CodeChatNotYours:        "the group chat was not created by this app",
	CodeAppNotAuthorised:    "the agentid does not belong to the app whose secret issued the token",
	CodeContentTooLong:      "message content over WeCom's limit (text and markdown: 2048 bytes)",
	CodeEmptyContent:        "message content is empty",
	CodeInvalidParameter:    "WeCom rejected a parameter (bad JSON, a list or length limit, or the wrong HTTP method)",
	CodeMissingToken:        "access_token missing from the request",
	CodeInvalidCredentials2: "secret invalid: check wecom.secret",
}

// Hint returns the operator hint for an errcode, or "".
func Hint(code int) string { return hints[code] }

// ValidationError is a request the client refused to send because WeCom would reject or silently truncate it.
type ValidationError struct {
	Op     string
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("wecom %s: %s: %s", e.Op, e.Field, e.Reason)
}

// ErrTooManyPages stops a cursor walk that does not end: a server repeating a cursor, or more pages than any
// real list has.
var ErrTooManyPages = errors.New("wecom: cursor paging did not terminate")
