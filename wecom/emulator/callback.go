package emulator

// Callbacks to the bot, delivered the way WeCom delivers them (wecom-protocol.md §1 and §2): the plaintext
// XML is encrypted and signed with the app's Token and EncodingAESKey (ReceiveId = CorpID), POSTed to the
// callback URL, and re-sent with the same content when no HTTP 200 comes back in time.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wecombot/wecombot/wecom"
)

// maxBotReply bounds what the emulator reads of the bot's answer.
const maxBotReply = 64 << 10

// DeliveryResult is what became of a callback delivery.
type DeliveryResult struct {
	Status   int    `json:"status"`   // the bot's last HTTP status; 0 when it never answered
	Attempts int    `json:"attempts"` // deliveries made, retries included
	Body     string `json:"body,omitempty"`
	// Reply is the decrypted passive reply when the bot answered with an encrypted reply envelope;
	// ReplyError says why an answer that was neither empty nor a valid envelope could not be read (WeCom
	// would show the user nothing).
	Reply      string `json:"reply,omitempty"`
	ReplyError string `json:"reply_error,omitempty"`
}

// DeliveryError reports a callback no attempt of which got HTTP 200.
type DeliveryError struct {
	URL      string
	Attempts int
	Status   int   // last HTTP status, 0 when the bot never answered
	Err      error // last transport error, or the status as an error
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("emulator: callback to %s failed after %d attempt(s): %v", e.URL, e.Attempts, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

func (s *Server) crypter() (*wecom.Crypter, error) {
	return wecom.NewCrypter(s.opts.Token, s.opts.EncodingAESKey, s.opts.CorpID)
}

// callbackClient is the HTTP client of one delivery attempt: bounded by CallbackTimeout like WeCom's 5 s, and
// not following redirects (the callback URL must answer itself).
func (s *Server) callbackClient() *http.Client {
	return &http.Client{
		Timeout:       s.opts.CallbackTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Deliver encrypts plainXML, POSTs it to the callback URL as WeCom does and, when no HTTP 200 comes back
// within CallbackTimeout (or the connection fails, or the bot answers another status), delivers the same
// message again, up to CallbackRetries more times. Every attempt carries the same envelope, so the decrypted
// XML (MsgId, CreateTime) is identical. A non-nil error is a *DeliveryError (no attempt got 200), the
// context's error, or a configuration error; the result is filled in either way.
func (s *Server) Deliver(ctx context.Context, plainXML []byte) (DeliveryResult, error) {
	var res DeliveryResult
	if s.opts.CallbackURL == "" {
		return res, ErrNoCallbackURL
	}
	var probe struct {
		XMLName xml.Name
		AgentID string `xml:"AgentID"`
	}
	if err := xml.Unmarshal(plainXML, &probe); err != nil || probe.XMLName.Local != "xml" {
		return res, fmt.Errorf("emulator: callback is not an <xml> document: %v", err)
	}
	cr, err := s.crypter()
	if err != nil {
		return res, fmt.Errorf("emulator: callback crypto: %w", err)
	}
	ts, nonce := strconv.FormatInt(s.opts.Now().Unix(), 10), randomDigits(10)
	body, sig, err := cr.EncryptCallback(plainXML, ts, nonce, probe.AgentID)
	if err != nil {
		return res, fmt.Errorf("emulator: encrypt callback: %w", err)
	}
	u, err := url.Parse(s.opts.CallbackURL)
	if err != nil {
		return res, fmt.Errorf("emulator: callback URL: %w", err)
	}
	q := u.Query()
	q.Set("msg_signature", sig)
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	u.RawQuery = q.Encode()

	client := s.callbackClient()
	var lastErr error
	for attempt := 1; attempt <= 1+s.opts.CallbackRetries; attempt++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.Attempts = attempt
		req, err := http.NewRequestWithContext(ctx, "POST", u.String(), bytes.NewReader(body))
		if err != nil {
			return res, err
		}
		req.Header.Set("Content-Type", "text/xml")
		req.Header.Set("User-Agent", "Mozilla/4.0 (wecom emulator)")
		resp, err := client.Do(req)
		if err != nil {
			res.Status, res.Body = 0, ""
			lastErr = err
			s.opts.Logger.Warn("emulator: callback attempt failed", "attempt", attempt, "url", s.opts.CallbackURL, "err", err)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxBotReply))
		resp.Body.Close()
		res.Status, res.Body = resp.StatusCode, string(b)
		if err != nil {
			lastErr = fmt.Errorf("reading the answer: %w", err)
			continue
		}
		if resp.StatusCode == http.StatusOK {
			res.Reply, res.ReplyError = s.readReply(cr, b)
			return res, nil
		}
		lastErr = fmt.Errorf("HTTP %d", resp.StatusCode)
		s.opts.Logger.Warn("emulator: callback answered non-200", "attempt", attempt, "status", resp.StatusCode)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, &DeliveryError{URL: s.opts.CallbackURL, Attempts: res.Attempts, Status: res.Status, Err: lastErr}
}

// readReply decrypts a passive reply envelope (wecom-protocol.md §1 "Encrypted passive reply").
func (s *Server) readReply(cr *wecom.Crypter, body []byte) (reply, problem string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", ""
	}
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		return "", "reply is neither empty nor an XML envelope: " + err.Error()
	}
	msg, err := cr.Decrypt(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt)
	if err != nil {
		return "", "reply envelope does not decrypt: " + err.Error()
	}
	return string(msg), ""
}

// VerifyURL performs the callback URL check WeCom does when the URL is saved: a GET with an encrypted random
// echostr, which the bot must answer with the plaintext, nothing else. It returns the plaintext sent and what
// the bot answered; err is non-nil when the bot could not be reached, did not answer 200, or answered
// something else.
func (s *Server) VerifyURL(ctx context.Context) (echoPlain, got string, err error) {
	if s.opts.CallbackURL == "" {
		return "", "", ErrNoCallbackURL
	}
	cr, err := s.crypter()
	if err != nil {
		return "", "", fmt.Errorf("emulator: callback crypto: %w", err)
	}
	echoPlain = randomDigits(19) // WeCom's echostr plaintexts are 19-digit numbers (wecom-protocol.md §1.1)
	enc, err := cr.Encrypt([]byte(echoPlain))
	if err != nil {
		return echoPlain, "", err
	}
	ts, nonce := strconv.FormatInt(s.opts.Now().Unix(), 10), randomDigits(10)
	u, err := url.Parse(s.opts.CallbackURL)
	if err != nil {
		return echoPlain, "", fmt.Errorf("emulator: callback URL: %w", err)
	}
	q := u.Query()
	q.Set("msg_signature", cr.Signature(ts, nonce, enc))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("echostr", enc)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return echoPlain, "", err
	}
	resp, err := s.callbackClient().Do(req)
	if err != nil {
		return echoPlain, "", &DeliveryError{URL: s.opts.CallbackURL, Attempts: 1, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBotReply))
	got = string(b)
	switch {
	case err != nil:
		return echoPlain, got, fmt.Errorf("emulator: reading the URL check answer: %w", err)
	case resp.StatusCode != http.StatusOK:
		return echoPlain, got, &DeliveryError{URL: s.opts.CallbackURL, Attempts: 1, Status: resp.StatusCode,
			Err: fmt.Errorf("HTTP %d", resp.StatusCode)}
	case got != echoPlain:
		return echoPlain, got, fmt.Errorf("emulator: URL check failed: the bot answered %q, want exactly %q", got, echoPlain)
	}
	return echoPlain, got, nil
}

// randomDigits returns n random decimal digits (nonces, echostr plaintexts).
func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// ---- XML builders ----

// xmlName is what the builders accept as an element name: WeCom's are ASCII words like EventKey.
var xmlName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// numericElements are written without CDATA when their value is a number, as WeCom writes them.
var numericElements = []string{"CreateTime", "MsgId", "AgentID", "BusinessType", "FinishType"}

// writeCDATA writes s as CDATA. "]]>" cannot appear inside a section, so it is split across two
// ("]]" ends one, ">" starts the next), and characters XML 1.0 forbids become U+FFFD.
func writeCDATA(b *bytes.Buffer, s string) {
	var clean strings.Builder
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			clean.WriteRune(r)
		} else {
			clean.WriteRune(utf8.RuneError)
		}
	}
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(clean.String(), "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
}

func writeElem(b *bytes.Buffer, name, value string) {
	if !xmlName.MatchString(name) {
		panic("emulator: invalid XML element name " + strconv.Quote(name))
	}
	b.WriteString("<" + name + ">")
	if slices.Contains(numericElements, name) && isNumber(value) {
		b.WriteString(value)
	} else {
		writeCDATA(b, value)
	}
	b.WriteString("</" + name + ">")
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// TextMessage builds the plaintext XML of a text message from a member (wecom-protocol.md §2).
func (s *Server) TextMessage(from, content string, msgID uint64, createTime time.Time) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	writeElem(&b, "ToUserName", s.opts.CorpID)
	writeElem(&b, "FromUserName", from)
	writeElem(&b, "CreateTime", strconv.FormatInt(createTime.Unix(), 10))
	writeElem(&b, "MsgType", "text")
	writeElem(&b, "Content", content)
	writeElem(&b, "MsgId", strconv.FormatUint(msgID, 10))
	writeElem(&b, "AgentID", strconv.Itoa(s.opts.AgentID))
	b.WriteString("</xml>")
	return b.Bytes()
}

// eventFieldOrder is the order WeCom's samples put event fields in; other fields follow, sorted.
var eventFieldOrder = []string{"ChangeType", "UserID", "TagId", "AddUserItems", "DelUserItems", "AddPartyItems", "DelPartyItems", "EventKey", "TaskId", "CardType", "ResponseCode", "ApplyId",
	"BusinessType", "ApplyReason", "FinishType"}

// Event builds the plaintext XML of an event (MsgType event). fields are element names in WeCom's spelling
// (EventKey, TaskId, CardType, ResponseCode, ApplyId, BusinessType, ApplyReason, FinishType, ChangeType, …)
// with their text; an invalid element name panics. The security event carries no AgentID, as WeCom sends it.
// CreateTime is the emulator clock's now.
func (s *Server) Event(from, event string, fields map[string]string) []byte {
	return s.event(from, event, fields, nil)
}

// SelectedItem is one answered question of a vote or multiple-choice card (template_card_event).
type SelectedItem struct {
	QuestionKey string   `json:"question_key"`
	OptionIDs   []string `json:"option_ids"`
}

// CardEvent is a template_card_event: a member clicked a button or submitted a card.
type CardEvent struct {
	EventKey, TaskID, CardType, ResponseCode string
	SelectedItems                            []SelectedItem
}

// TemplateCardEvent builds the plaintext XML of a template_card_event (wecom-protocol.md §2; OptionIds
// spelled as WXJ and ZSM spell it).
func (s *Server) TemplateCardEvent(from string, ev CardEvent) []byte {
	return s.event(from, "template_card_event", map[string]string{"EventKey": ev.EventKey, "TaskId": ev.TaskID,
		"CardType": ev.CardType, "ResponseCode": ev.ResponseCode}, ev.SelectedItems)
}

func (s *Server) event(from, event string, fields map[string]string, selected []SelectedItem) []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	writeElem(&b, "ToUserName", s.opts.CorpID)
	writeElem(&b, "FromUserName", from)
	writeElem(&b, "CreateTime", strconv.FormatInt(s.opts.Now().Unix(), 10))
	writeElem(&b, "MsgType", "event")
	writeElem(&b, "Event", event)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(eventFieldOrder, a), slices.Index(eventFieldOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range names {
		writeElem(&b, k, fields[k])
	}
	if event != "security" && event != "change_contact" { // system events carry no AgentID (DOC/90376)
		writeElem(&b, "AgentID", strconv.Itoa(s.opts.AgentID))
	}
	if len(selected) > 0 {
		b.WriteString("<SelectedItems>")
		for _, it := range selected {
			b.WriteString("<SelectedItem>")
			writeElem(&b, "QuestionKey", it.QuestionKey)
			b.WriteString("<OptionIds>")
			for _, id := range it.OptionIDs {
				writeElem(&b, "OptionId", id)
			}
			b.WriteString("</OptionIds></SelectedItem>")
		}
		b.WriteString("</SelectedItems>")
	}
	b.WriteString("</xml>")
	return b.Bytes()
}

// nextMsgID returns a fresh callback MsgId: increasing, and based on the wall clock (not the emulator's,
// which tests may freeze) so ids stay unique across emulator restarts, where a persistent bot would
// otherwise discard new messages as duplicates of old ones.
func (s *Server) nextMsgID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ext()
	id := max(uint64(time.Now().UnixNano()), st.msgID+1)
	st.msgID = id
	return id
}

var _ error = (*DeliveryError)(nil)

// isDeliveryError reports whether err means the bot was not reached or never answered 200.
func isDeliveryError(err error) (*DeliveryError, bool) {
	var de *DeliveryError
	ok := errors.As(err, &de)
	return de, ok
}
