package wecom

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// This file holds what the service files share: the client-side checks that turn a request WeCom would
// reject (or silently truncate) into a *ValidationError before anything is sent, and small wire helpers.
// Each service type lives with its methods in its own file:
//
//	MessageService                      message.go
//	AppChatService                      appchat.go
//	UserService, DepartmentService,
//	TagService                          directory.go
//	ExternalContactService              externalcontact.go
//	SecurityService                     security.go
//	VIPService                          vip.go
//	AdvancedFeatureService              advanced_feature.go
//	HRService                           hr.go
//	IDConvertService, BatchService      idconvert.go
//	MiscService, OAuthService           misc.go
//	AgentService                        agent.go
//	MenuService                         menu.go
//	MediaService                        media.go

// invalid returns a *ValidationError as an error (never a typed nil).
func invalid(op, field, reason string) error {
	return &ValidationError{Op: op, Field: field, Reason: reason}
}

// required checks that a string parameter is set.
func required(op, field, v string) error {
	if v == "" {
		return invalid(op, field, "required")
	}
	return nil
}

// checkCount checks the length of a list parameter.
func checkCount(op, field string, n, min, max int) error {
	switch {
	case n < min && min == 1:
		return invalid(op, field, "at least one required")
	case n < min:
		return invalid(op, field, fmt.Sprintf("at least %d required, got %d", min, n))
	case max > 0 && n > max:
		return invalid(op, field, fmt.Sprintf("at most %d allowed, got %d", max, n))
	}
	return nil
}

// checkLimit checks a page size: 0 leaves WeCom's default, otherwise 1..max.
func checkLimit(op string, limit, max int) error {
	if limit < 0 || limit > max {
		return invalid(op, "limit", fmt.Sprintf("must be 1..%d (0 for WeCom's default), got %d", max, limit))
	}
	return nil
}

// checkWindow checks a [start, end] unix-seconds window that WeCom bounds to span. Splitting a longer range
// into windows is the caller's job.
func checkWindow(op string, start, end int64, span time.Duration) error {
	if start <= 0 {
		return invalid(op, "start_time", "required (unix seconds)")
	}
	if end <= 0 {
		return invalid(op, "end_time", "required (unix seconds)")
	}
	if end < start {
		return invalid(op, "end_time", "before start_time")
	}
	if time.Duration(end-start)*time.Second > span {
		return invalid(op, "end_time", fmt.Sprintf("window longer than WeCom's %s (%d s); split the range",
			formatSpan(span), int64(span/time.Second)))
	}
	return nil
}

func formatSpan(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// checkUnique reports the first repeated non-empty value.
func checkUnique(op, field string, values []string) error {
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if v == "" {
			continue
		}
		if seen[v] {
			return invalid(op, field, fmt.Sprintf("%q repeated; keys must be unique", v))
		}
		seen[v] = true
	}
	return nil
}

// joinPipe joins ids the way message/send wants them ("a|b").
func joinPipe(ids []string) string { return strings.Join(ids, "|") }

// splitPipe splits WeCom's "a|b" lists; "" is no list.
func splitPipe(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// boolInt is WeCom's 0/1 for a flag.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// enumName is the String of a named int enum: its text, or Type(n) for a value WeCom added later.
// sortedKeys is an enum's documented values, in order.
func sortedKeys[T ~int](names map[T]string) []T {
	return slices.Sorted(maps.Keys(names))
}

func enumName[T ~int](typ string, v T, names map[T]string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return fmt.Sprintf("%s(%d)", typ, int(v))
}
