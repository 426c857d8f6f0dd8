package callbacks

import (
	"errors"
)

// Outcomes of an accepted request, as Handler.Observe reports them.
const (
	OutcomeStored    = "stored"    // a new callback, durably stored
	OutcomeDuplicate = "duplicate" // a redelivery of one already stored (acknowledged, not stored again)
	OutcomeVerified  = "verified"  // WeCom's URL verification (GET) answered
)

// RejectionReasons are the labels Handler.Observe reports for a rejected request: a fixed set, never request
// text, so a metric labelled with them stays bounded whatever a client sends.
var RejectionReasons = []string{"method_not_allowed", "missing_params", "bad_timestamp", "stale_timestamp",
	"missing_echostr", "bad_signature", "cannot_decrypt", "body_too_large", "cannot_read_body", "not_stored", "internal"}

func (h *Handler) observe(outcome string, accepted bool) {
	if h.Observe != nil {
		h.Observe(outcome, accepted)
	}
}

// rejectionLabel maps the error a request failed with to one of RejectionReasons.
func rejectionLabel(err error) string {
	if errors.Is(err, errNotStored) {
		return "not_stored"
	}
	var se *statusError
	if !errors.As(err, &se) {
		return "internal"
	}
	switch se.reason {
	case "method not allowed":
		return "method_not_allowed"
	case "missing msg_signature, timestamp or nonce":
		return "missing_params"
	case "timestamp is not a number":
		return "bad_timestamp"
	case "stale timestamp":
		return "stale_timestamp"
	case "missing echostr":
		return "missing_echostr"
	case "signature mismatch":
		return "bad_signature"
	case "cannot decrypt":
		return "cannot_decrypt"
	case "body too large":
		return "body_too_large"
	case "cannot read body":
		return "cannot_read_body"
	}
	return "internal"
}
