package config

import (
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// Console configures the web console (/console/, issue 12) and what WeCom needs to trust its domain.
type Console struct {
	// Origin is the console's address as browsers reach it (scheme://host[:port]); default callback.public_url's
	// origin. It must be the app's 可信域名 (trusted domain) in WeCom, or sign-in redirects are refused.
	Origin string `toml:"origin"`
	// Disabled turns the console off (it is on whenever an origin is known).
	Disabled bool `toml:"disabled"`
	// IdleTimeout ends a session unused this long (default 30m); MaxAge ends any session this long after sign-in
	// (default 12h).
	IdleTimeout Duration `toml:"idle_timeout"`
	MaxAge      Duration `toml:"max_age"`
	// VerifyFile and VerifyContent answer WeCom's domain check: setting the trusted domain asks for a file named
	// like WW_verify_XXXX.txt at the domain's root; the bot serves it at /VerifyFile with VerifyContent.
	VerifyFile    string `toml:"verify_file"`
	VerifyContent string `toml:"verify_content"`
}

var verifyFileRE = regexp.MustCompile(`^WW_verify_[A-Za-z0-9]{1,64}\.txt$`)

// ConsoleOrigin is the console's origin, or "" when it has none (or is disabled).
func (c *Config) ConsoleOrigin() string {
	if c.Console.Disabled {
		return ""
	}
	raw := c.Console.Origin
	if raw == "" {
		raw = c.Callback.PublicURL
	}
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (c Console) validate() []error {
	var errs []error
	if o := c.Origin; o != "" {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("console.origin must be scheme://host[:port] only, like \"https://bot.example.com\"; got %q", o))
		}
	}
	if d := c.IdleTimeout.Duration; d != 0 && (d < time.Minute || d > 24*time.Hour) {
		errs = append(errs, fmt.Errorf("console.idle_timeout must be between 1m and 24h, got %s", c.IdleTimeout))
	}
	if d := c.MaxAge.Duration; d != 0 && (d < 5*time.Minute || d > 30*24*time.Hour) {
		errs = append(errs, fmt.Errorf("console.max_age must be between 5m and 30d, got %s", c.MaxAge))
	}
	if (c.VerifyFile == "") != (c.VerifyContent == "") {
		errs = append(errs, fmt.Errorf("console.verify_file and console.verify_content go together (the file WeCom asks for when you set the trusted domain, and what it contains)"))
	}
	if c.VerifyFile != "" && !verifyFileRE.MatchString(c.VerifyFile) {
		errs = append(errs, fmt.Errorf("console.verify_file must be the name WeCom gives, like \"WW_verify_abc123.txt\"; got %q", c.VerifyFile))
	}
	if len(c.VerifyContent) > 256 {
		errs = append(errs, fmt.Errorf("console.verify_content is %d bytes; WeCom's verification files hold a short code", len(c.VerifyContent)))
	}
	return errs
}
