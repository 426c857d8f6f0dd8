package wecom

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// SetObserver makes the client call f after every HTTP request to WeCom (gettoken included, each retry
// counted), with the API path ("message/send", "gettoken"), the outcome and how long the request took. It is
// for metrics; f must be quick and must not block. Set it before the client is used; nil turns it off.
func (c *Client) SetObserver(f func(path string, err error, took time.Duration)) { c.observe = f }

// OutcomeLabel names an API call's outcome for a metric label: "0" for success, WeCom's errcode as a decimal
// string, "canceled" for a call its caller gave up on, or "transport" when no WeCom answer came (network,
// HTTP status, a body that is not WeCom's).
func OutcomeLabel(err error) string {
	var e *Error
	switch {
	case err == nil:
		return "0"
	case errors.As(err, &e):
		return strconv.Itoa(e.Code)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	default:
		return "transport"
	}
}
