// Package bot holds the domain types every part of the bot shares. It imports only the standard library.
package bot

import (
	"errors"
	"fmt"
)

// Error codes: what kind of failure, for callers to branch on and for replies to phrase.
const (
	EINVALID     = "invalid"     // the request is malformed: usage errors, bad values
	EFORBIDDEN   = "forbidden"   // the caller lacks a permission
	ENOTFOUND    = "not_found"   // the thing asked for does not exist
	ECONFLICT    = "conflict"    // the state forbids it: already decided, already pending
	EUNAVAILABLE = "unavailable" // WeCom or the database failed for now; retrying later may work
	EINTERNAL    = "internal"    // a bug or an unexpected failure; details go to the log, not the user
)

// Error is an application error whose Message is written for the user who caused it.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with a user message and a cause kept for the log.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL for any other error, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: an *Error's Message, or a generic one for anything
// else, so internal details never reach a chat.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error. It has been logged; please try again later."
}
