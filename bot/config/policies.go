package config

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Policy is a four-eyes rule: a confirmed command it matches is not run at once but sent to Approvers, and
// runs when one of them (never the requester) approves it. The [policies] key names the command path, with
// dots or spaces ("devices.delete"), or a family ending in ".*" ("devices.*": every mutating /devices command).
type Policy struct {
	// Approvers are userids, "tag:NAME" or "dept:ID", resolved when a request is made and again when one
	// decides (someone removed from the tag meanwhile can no longer approve).
	Approvers []string `toml:"approvers"`
	// MoreThan applies the policy only when the command acts on more than this many items (devices, members):
	// 10 lets a member delete up to 10 devices alone. Default 0: every run.
	MoreThan int `toml:"more_than"`
	// ExpiresAfter is how long a request waits for a decision; default 1h, at most 7 days.
	ExpiresAfter Duration `toml:"expires_after"`
}

// DefaultPolicyExpiry is how long a four-eyes request waits when expires_after is not set.
const DefaultPolicyExpiry = time.Hour

// Expiry is how long a request waits.
func (p Policy) Expiry() time.Duration {
	if p.ExpiresAfter.Duration == 0 {
		return DefaultPolicyExpiry
	}
	return p.ExpiresAfter.Duration
}

// PolicyPath is the command path (or family prefix, with wildcard true) a [policies] key names.
func PolicyPath(key string) (path string, wildcard bool) {
	path = strings.Join(strings.Fields(strings.ReplaceAll(key, ".", " ")), " ")
	if rest, ok := strings.CutSuffix(path, " *"); ok {
		return rest, true
	}
	return path, path == "*"
}

// validatePolicies checks each policy on its own; that its key names a mutating command is checked where the
// commands are known (cmd/bot).
func validatePolicies(ps map[string]Policy) []error {
	keys := make([]string, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		p := ps[k]
		where := fmt.Sprintf("policies.%q", k)
		if path, _ := PolicyPath(k); path == "" || path == "*" {
			errs = append(errs, fmt.Errorf("%s: name a command path, like [policies.\"devices.delete\"] or [policies.\"devices.*\"]", where))
		}
		if len(p.Approvers) == 0 {
			errs = append(errs, fmt.Errorf("%s.approvers: name who approves (userids, \"tag:NAME\", \"dept:ID\"); a four-eyes policy without approvers would refuse every run", where))
		}
		for _, a := range p.Approvers {
			if strings.TrimSpace(a) == "" {
				errs = append(errs, fmt.Errorf("%s.approvers: an empty entry", where))
			}
		}
		if p.MoreThan < 0 {
			errs = append(errs, fmt.Errorf("%s.more_than must not be negative, got %d", where, p.MoreThan))
		}
		if d := p.ExpiresAfter.Duration; d != 0 && (d < time.Minute || d > 7*24*time.Hour) {
			errs = append(errs, fmt.Errorf("%s.expires_after must be between 1m and 7d, got %s", where, p.ExpiresAfter))
		}
	}
	return errs
}
