package emulator

// Hooks for tests of the bot's security alerts: change what security/get_server_domain_ip answers (WeCom's own
// domains and IPs), as WeCom does before it sends the security callback with ChangeType change_domain_ip.

import "slices"

// ServerDomain is one entry of security/get_server_domain_ip's domain_list. IsNecessary is 1 for a domain
// WeCom cannot work without.
type ServerDomain struct {
	Domain          string
	UniversalDomain string // "universal_domian" in WeCom's JSON
	Protocol        string
	Port            []int
	IsNecessary     int
	Description     string
}

// ServerIP is one entry of security/get_server_domain_ip's ip_list.
type ServerIP struct {
	IP          string
	Protocol    string
	Port        []int
	IsNecessary int
	Description string
}

// ServerDomainIP returns the domains and IPs security/get_server_domain_ip answers now.
func (s *Server) ServerDomainIP() ([]ServerDomain, []ServerIP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	domains := make([]ServerDomain, len(a.domains))
	for i, d := range a.domains {
		domains[i] = ServerDomain{d.Domain, d.UniversalDomain, d.Protocol, slices.Clone(d.Port), d.IsNecessary, d.Description}
	}
	ips := make([]ServerIP, len(a.ips))
	for i, ip := range a.ips {
		ips[i] = ServerIP{ip.IP, ip.Protocol, slices.Clone(ip.Port), ip.IsNecessary, ip.Description}
	}
	return domains, ips
}

// SetServerDomainIP replaces the domains and IPs security/get_server_domain_ip answers. It does not deliver
// the security callback; build one with Event("sys", "security", map[string]string{"ChangeType":
// "change_domain_ip"}) and Deliver it (or POST /_emulator/event).
func (s *Server) SetServerDomainIP(domains []ServerDomain, ips []ServerIP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	a.domains = make([]serverDomain, len(domains))
	for i, d := range domains {
		a.domains[i] = serverDomain{d.Domain, d.UniversalDomain, d.Protocol, slices.Clone(d.Port), d.IsNecessary, d.Description}
	}
	a.ips = make([]serverIP, len(ips))
	for i, ip := range ips {
		a.ips[i] = serverIP{ip.IP, ip.Protocol, slices.Clone(ip.Port), ip.IsNecessary, ip.Description}
	}
}

// ChangeServerDomainIP edits the current lists: f gets copies and returns the new lists (ServerDomainIP, then
// SetServerDomainIP; the lock is not held while f runs, so f may call the emulator).
func (s *Server) ChangeServerDomainIP(f func(domains []ServerDomain, ips []ServerIP) ([]ServerDomain, []ServerIP)) {
	d, ips := s.ServerDomainIP()
	s.SetServerDomainIP(f(d, ips))
}
