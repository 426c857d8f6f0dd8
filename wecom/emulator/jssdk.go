package emulator

// The JS-SDK tickets (DOC/96909): GET get_jsapi_ticket (the corp's, for wx.config) and GET
// ticket/get?type=agent_config (the app's, for wx.agentConfig). Each lives 7200 s; WeCom allows one app 100
// fetches of each an hour and refuses more with 45009, which is why callers must cache them.

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

const (
	jsTicketTTL = 7200 * time.Second // "正常情况下 jsapi_ticket 的有效期为 7200 秒"
	// jsTicketsPerHour: "一小时内，一个企业最多可获取 400 次，且单个应用不能超过 100 次".
	jsTicketsPerHour = 100
)

type jsTicket struct {
	value   string
	expires time.Time
}

type jssdkState struct {
	issued  map[string][]jsTicket  // kind → tickets issued, still valid or not
	fetches map[string][]time.Time // kind → fetch times within the last hour
}

func (s *Server) jssdkLocked() *jssdkState {
	st := s.ext()
	if st.jssdk == nil {
		st.jssdk = &jssdkState{issued: map[string][]jsTicket{}, fetches: map[string][]time.Time{}}
	}
	return st.jssdk
}

func (s *Server) routesJSSDK() {
	s.handle("GET", "get_jsapi_ticket", func(*apiCall) (obj, *apiError) { return s.issueJSTicket("jsapi") })
	s.handle("GET", "ticket/get", func(c *apiCall) (obj, *apiError) {
		if t := c.query("type"); t != "agent_config" {
			return nil, errInvalidParam("invalid type %q: ticket/get takes type=agent_config", t)
		}
		return s.issueJSTicket("agent_config")
	})
}

func (s *Server) issueJSTicket(kind string) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.jssdkLocked()
	now := s.opts.Now()
	recent := st.fetches[kind][:0]
	for _, t := range st.fetches[kind] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	st.fetches[kind] = recent
	if len(recent) >= jsTicketsPerHour {
		return nil, errf(45009, "api freq out of limit: %d %s tickets fetched in the last hour (at most %d); cache the ticket",
			len(recent), kind, jsTicketsPerHour)
	}
	st.fetches[kind] = append(st.fetches[kind], now)
	t := jsTicket{value: randomHex(16) + "-" + randomHex(24), expires: now.Add(jsTicketTTL)}
	st.issued[kind] = append(st.issued[kind], t)
	return obj{"ticket": t.value, "expires_in": int(jsTicketTTL / time.Second)}, nil
}

// JSTicketFetches returns how many times the app fetched the ticket of kind ("jsapi" or "agent_config").
func (s *Server) JSTicketFetches(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.jssdkLocked().issued[kind])
}

// CheckJSSignature checks a page's JS-SDK signature as WeCom's client does when the page calls wx.config
// (kind "jsapi") or wx.agentConfig ("agent_config"): the SHA-1 of the signing string with a ticket issued and
// still valid now. It returns "" when the signature holds, else why not.
func (s *Server) CheckJSSignature(kind, nonce string, timestamp int64, pageURL, signature string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	pageURL, _, _ = strings.Cut(pageURL, "#")
	now := s.opts.Now()
	for _, t := range s.jssdkLocked().issued[kind] {
		sum := sha1.Sum([]byte("jsapi_ticket=" + t.value + "&noncestr=" + nonce + "&timestamp=" + strconv.FormatInt(timestamp, 10) + "&url=" + pageURL))
		if hex.EncodeToString(sum[:]) == signature {
			if !now.Before(t.expires) {
				return "the ticket it was made with has expired"
			}
			return ""
		}
	}
	return "invalid signature"
}
