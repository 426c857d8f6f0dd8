// Package bot holds the domain types every part of the bot shares. It imports only the standard library.
package bot

import (
	"errors"
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

// Error is an application error whose Message is written for the user who caused it, in CommonMark.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs; never shown to users

	text string // Message unescaped, for logs and the audit trail; "" when it is Message

	// The English format and its arguments, so the message can be written again in the reader's language
	// (LocalizedMessage); format is "" when Message was set directly.
	format string
	args   []any
}

func (e *Error) Error() string {
	msg := e.Message
	if e.text != "" {
		msg = e.text
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user message. As with Markdownf, format is CommonMark and the
// arguments are text, escaped, unless they are Markdown.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: Markdownf(format, args...), text: plainf(format, args...), format: format, args: args}
}

// Wrap returns an *Error with a user message (formatted as by Errorf) and a cause kept for the log.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: Markdownf(format, args...), Err: err, text: plainf(format, args...), format: format, args: args}
}

// LocalizedMessage is ErrorMessage in a reader's language: an *Error's format translated by translate (the
// i18n printer's T) and formatted again with its arguments; the generic message translated likewise.
func LocalizedMessage(err error, translate func(string) string) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return translate(internalMessage)
	}
	if e.format == "" {
		return e.Message
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		args[i] = a
		if n, ok := a.(*Error); ok { // a nested message (UserArg): in the reader's language too
			args[i] = Markdown(LocalizedMessage(n, translate))
		}
	}
	return Markdownf(translate(e.format), args...)
}

// UserArg is err as an argument of Errorf for a message that quotes it (a validation error inside a usage
// error): an *Error stays one, so it is translated with the message around it; any other error's text is
// escaped, as UserText does.
func UserArg(err error) any {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return UserText(err)
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
	return internalMessage
}

const internalMessage = "Internal error. It has been logged; please try again later."

// UserText is err as markup for a user's message, for errors whose text is meant for the user (validation
// functions): an *Error's Message as written (it is CommonMark already), any other error's text escaped.
// Unexpected errors go through ErrorMessage instead, which shows none of their text.
func UserText(err error) Markdown {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return Markdown(e.Message)
	}
	return Markdown(EscapeText(err.Error()))
}

// ErrorText is ErrorMessage as plain text, the values as they were typed, for the audit trail and logs.
func ErrorText(err error) string {
	var e *Error
	if errors.As(err, &e) && e.text != "" {
		return e.text
	}
	return ErrorMessage(err)
}
