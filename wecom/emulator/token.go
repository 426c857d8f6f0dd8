package emulator

// Access tokens: gettoken issues them with the app's credentials, every other API checks them
// (wecom-protocol.md §4; the client's side is wecom/token.go).

import "time"

// routesToken registers gettoken, the one API without an access_token.
func (s *Server) routesToken() {
	s.handle("GET", "gettoken", s.getToken)
}

// getToken is GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET.
func (s *Server) getToken(c *apiCall) (obj, *apiError) {
	corpID, secret := c.query("corpid"), c.query("corpsecret")
	switch {
	case corpID == "":
		return nil, errf(41002, "corpid missing")
	case corpID != s.opts.CorpID:
		return nil, errf(40013, "invalid corpid")
	case secret == "":
		return nil, errf(41004, "corpsecret missing")
	case secret != s.opts.Secret:
		return nil, errf(40001, "invalid credential, access_token is invalid or not latest")
	}
	tok := randomHex(32)
	s.mu.Lock()
	s.tokens[tok] = s.opts.Now().Add(s.opts.TokenTTL)
	s.gettoken++
	s.mu.Unlock()
	return obj{"access_token": tok, "expires_in": int(s.opts.TokenTTL / time.Second)}, nil
}

func (s *Server) checkToken(tok string) *apiError {
	if tok == "" {
		return errf(41001, "access_token missing")
	}
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok {
		return errf(40014, "invalid access_token")
	}
	if !s.opts.Now().Before(exp) {
		return errf(42001, "access_token expired")
	}
	return nil
}

// ExpireTokens makes every issued access_token expired, as WeCom may do before expires_in.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.opts.Now().Add(-time.Second)
	for k := range s.tokens {
		s.tokens[k] = past
	}
}

// TokenCount returns how many tokens gettoken has issued.
func (s *Server) TokenCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gettoken
}
