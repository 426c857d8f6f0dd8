package wecom

import "strings"

// MaxUserIDBytes is the longest userid WeCom allows (user/create: 1~64 bytes, DOC/90195).
const MaxUserIDBytes = 64

// ValidUserID reports whether id can be a member's userid: 1–64 bytes of letters, digits and "_-@." (WeCom's
// rule for userids, DOC/90195), optionally prefixed "CorpId/" as a linked corp's members appear. "@all" (any
// case) never is — as a touser it means every member — and neither is anything holding "|", which message/send
// reads as a list separator.
//
// A callback's FromUserName is only text inside an authentic envelope; it is checked with this before it is
// trusted as a sender, and every touser the client builds is checked with it too.
func ValidUserID(id string) bool {
	if corp, user, ok := strings.Cut(id, "/"); ok {
		if !validCorpID(corp) {
			return false
		}
		id = user
	}
	if len(id) == 0 || len(id) > MaxUserIDBytes || strings.EqualFold(id, AllMembers) {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '@', c == '.':
		default:
			return false
		}
	}
	return true
}

// validCorpID: corpids are letters and digits ("ww" and 16 hex digits today).
func validCorpID(s string) bool {
	if len(s) == 0 || len(s) > MaxUserIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// validNumericID: department and tag ids are unsigned integers; anything else (a "|" above all) is refused.
func validNumericID(s string) bool {
	if len(s) == 0 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
