package config

import (
	"fmt"
	"net"
)

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	// Listen is the host:port of a listener of its own that serves GET /metrics; "" (the default) serves no
	// metrics. It must not be the callback's port: the callback is public, the metrics are not.
	Listen string `toml:"listen"`
}

func (m Metrics) validate(callbackListen string) []error {
	if m.Listen == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(m.Listen)
	if err != nil {
		return []error{fmt.Errorf("metrics.listen must be host:port, like \"127.0.0.1:9464\", got %q", m.Listen)}
	}
	if _, cport, err := net.SplitHostPort(callbackListen); err == nil && port == cport && port != "0" {
		return []error{fmt.Errorf("metrics.listen %q uses the callback's port %s: the callback is public and the metrics are not, "+
			"so give the metrics a port of their own, like \"127.0.0.1:9464\"", m.Listen, port)}
	}
	return nil
}
