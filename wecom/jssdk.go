package wecom

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// JSSDKService issues the tickets that sign pages for WeCom's JS-SDK: the corp's jsapi_ticket for wx.config
// and the app's ticket for wx.agentConfig. Both live 7200 s and WeCom allows an app 100 fetches an hour (a
// corp 400), so they are cached until shortly before expiry, fetched once however many callers ask, and kept
// in the TokenStore across restarts like the access token.
//
// WeCom docs: https://developer.work.weixin.qq.com/document/path/96909 (签名算法, 获取企业/应用 jsapi_ticket)
type JSSDKService service

// TicketKind names one of the two tickets.
type TicketKind string

// Ticket kinds.
const (
	TicketCorp  TicketKind = "jsapi"        // get_jsapi_ticket, for wx.config
	TicketAgent TicketKind = "agent_config" // ticket/get?type=agent_config, for wx.agentConfig
)

func (c *Client) ticketSource(kind TicketKind) *tokenSource {
	c.ticketsMu.Lock()
	defer c.ticketsMu.Unlock()
	if ts, ok := c.tickets[kind]; ok {
		return ts
	}
	if c.tickets == nil {
		c.tickets = map[TicketKind]*tokenSource{}
	}
	ts := &tokenSource{
		fetch:  func(ctx context.Context) (Token, error) { return c.fetchTicket(ctx, kind) },
		store:  c.tokens.store,
		key:    c.tokens.key + ":" + string(kind),
		now:    c.tokens.now,
		margin: 5 * time.Minute,
	}
	c.tickets[kind] = ts
	return ts
}

// fetchTicket is GET get_jsapi_ticket or GET ticket/get?type=agent_config: {"ticket","expires_in"}. Both go
// through call, which refreshes the access token on 40001/42001 and retries.
func (c *Client) fetchTicket(ctx context.Context, kind TicketKind) (Token, error) {
	path, q := "get_jsapi_ticket", url.Values{}
	if kind == TicketAgent {
		path, q = "ticket/get", url.Values{"type": {"agent_config"}}
	}
	var out struct {
		Ticket    string `json:"ticket"`
		ExpiresIn int    `json:"expires_in"`
	}
	start := c.tokens.now()
	if err := c.get(ctx, path, q, &out); err != nil {
		return Token{}, err
	}
	if out.Ticket == "" || out.ExpiresIn <= 0 {
		return Token{}, &Error{Op: path, Msg: "response without ticket or expires_in"}
	}
	return Token{Value: out.Ticket, ExpiresAt: start.Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

// Ticket returns a valid ticket of kind, from the cache when it has one. Never log it.
//
//meta:operation GET /cgi-bin/get_jsapi_ticket
//meta:operation GET /cgi-bin/ticket/get
func (s *JSSDKService) Ticket(ctx context.Context, kind TicketKind) (string, error) {
	if kind != TicketCorp && kind != TicketAgent {
		return "", &Error{Op: "jssdk", Msg: "unknown ticket kind " + strconv.Quote(string(kind))}
	}
	return s.client.ticketSource(kind).token(ctx)
}

// JSSign is the JS-SDK signature of a page: the SHA-1, in hex, of
// "jsapi_ticket=T&noncestr=N&timestamp=TS&url=U" with the values as they are (no URL encoding, this order),
// url without its fragment.
func JSSign(ticket, nonce string, timestamp int64, pageURL string) string {
	pageURL, _, _ = strings.Cut(pageURL, "#")
	sum := sha1.Sum([]byte("jsapi_ticket=" + ticket + "&noncestr=" + nonce + "&timestamp=" + strconv.FormatInt(timestamp, 10) + "&url=" + pageURL))
	return hex.EncodeToString(sum[:])
}

// JSConfig is what a page passes to wx.config (CorpID as appId) or wx.agentConfig (with AgentID).
type JSConfig struct {
	CorpID    string `json:"corpid"`
	AgentID   int    `json:"agentid,omitempty"`
	Timestamp int64  `json:"timestamp"`
	NonceStr  string `json:"nonceStr"`
	Signature string `json:"signature"`
}

// Sign returns the wx.config and wx.agentConfig parameters for pageURL, each with a nonce of its own.
func (s *JSSDKService) Sign(ctx context.Context, pageURL string) (config, agent *JSConfig, err error) {
	if pageURL == "" {
		return nil, nil, errors.New("wecom: jssdk: a page URL is required")
	}
	corp, err := s.Ticket(ctx, TicketCorp)
	if err != nil {
		return nil, nil, err
	}
	app, err := s.Ticket(ctx, TicketAgent)
	if err != nil {
		return nil, nil, err
	}
	now := s.client.tokens.now().Unix()
	n1, n2 := jsNonce(), jsNonce()
	config = &JSConfig{CorpID: s.client.corpID, Timestamp: now, NonceStr: n1, Signature: JSSign(corp, n1, now, pageURL)}
	agent = &JSConfig{CorpID: s.client.corpID, AgentID: s.client.agentID, Timestamp: now, NonceStr: n2, Signature: JSSign(app, n2, now, pageURL)}
	return config, agent, nil
}

// jsNonce is 16 random letters and digits.
func jsNonce() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
