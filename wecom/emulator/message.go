package emulator

// Active sending: message/send and message/update_template_card (wecom-protocol.md §3; appchat/* is in
// appchat.go). Every accepted message is recorded as a SentMessage so tests and the demo can see
// what the bot sent, including the deliveries WeCom would have dropped silently over the per-member limit.

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// routesMessage registers the app's active sending (the client's wecom/message.go).
func (s *Server) routesMessage() {
	s.handle("POST", "message/send", s.messageSend)
	s.handle("POST", "message/update_template_card", s.updateTemplateCard)
}

// SentMessage is one message the bot sent (message/send, appchat/send, message/update_template_card).
//
// message/send records one SentMessage with the members it was delivered to and, when the per-member limit
// dropped it for some members, a second one with Dropped set, the same MsgID and those members in To. So
// "what did lisi receive" is the non-dropped records naming lisi (Delivered), and DroppedCount counts the
// dropped deliveries per member.
type SentMessage struct {
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"`
	// API is "message/send", "appchat/send" or "message/update_template_card".
	API string `json:"api"`
	// To holds the resolved recipient userids (departments and tags expanded). For appchat/send it is the
	// chat's members.
	To      []string `json:"to"`
	ChatID  string   `json:"chat_id,omitempty"`
	MsgType string   `json:"msg_type"` // update_template_card: "update_button" or "template_card"
	// Body is the request body exactly as sent.
	Body json.RawMessage `json:"body"`
	// Dropped marks the deliveries WeCom drops without an error: over the per-member limit.
	Dropped      bool   `json:"dropped,omitempty"`
	MsgID        string `json:"msg_id,omitempty"`
	ResponseCode string `json:"response_code,omitempty"`
	TaskID       string `json:"task_id,omitempty"`
	// MediaID and FileName are a media message's (msgtype file, image, voice, video): its media_id and the
	// filename it was uploaded with, which a file message shows.
	MediaID  string `json:"media_id,omitempty"`
	FileName string `json:"file_name,omitempty"`

	// What the member sees, after WeCom's own processing: text/markdown content, textcard title and
	// description (cut to 128/512 bytes as WeCom does), template card main title and its text (the title's
	// desc, sub_title_text, then "keyname: value" per row, then the quote, a line each), button replace_name.
	Title     string `json:"title,omitempty"`
	Content   string `json:"content,omitempty"`
	URL       string `json:"url,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Messages returns the recorded messages whose To includes userid, dropped ones included (check Dropped);
// "" returns all. In order of sending.
func (s *Server) Messages(userid string) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SentMessage
	for _, m := range s.sent {
		if userid == "" || slices.Contains(m.To, userid) {
			m.To, m.Body = slices.Clone(m.To), slices.Clone(m.Body) // callers may not alter the record
			out = append(out, m)
		}
	}
	return out
}

// Delivered returns the messages actually delivered to userid ("" = all delivered records).
func (s *Server) Delivered(userid string) []SentMessage {
	var out []SentMessage
	for _, m := range s.Messages(userid) {
		if !m.Dropped {
			out = append(out, m)
		}
	}
	return out
}

// DroppedCount returns how many messages were dropped for userid by the per-member limit.
func (s *Server) DroppedCount(userid string) int {
	n := 0
	for _, m := range s.Messages(userid) {
		if m.Dropped {
			n++
		}
	}
	return n
}

// Limits, from wecom-protocol.md §3 and the docs cited there.
const (
	maxToUser       = 1000 // touser / userids entries (DOC/90236; 40032 in DOC/90313)
	maxToPartyOrTag = 100  // toparty / totag / partyids / tagids entries
	maxTextBytes    = 2048 // text content is cut to this; markdown over it is refused (45002)
	maxTextAccepted = 5120 // text content above this is refused with 40058 (DOC/90236)
	maxCardTitle    = 128  // textcard title, bytes; longer is truncated by WeCom
	maxCardDesc     = 512  // textcard description, bytes; longer is truncated by WeCom
	maxTaskIDBytes  = 128
	maxButtonKey    = 1024
	codeValidity    = 72 * time.Hour // response_code (DOC/94945, 2025/07/24)
)

type card struct {
	TaskID   string
	CardType string
	To       []string
	Sent     time.Time
	// Closed holds the members whose copy had its buttons replaced (update_template_card with button): they
	// see a grey label, and there is nothing left to click.
	Closed map[string]string // userid → the label that replaced the buttons
}

type responseCode struct {
	Issued   time.Time
	Used     bool
	TaskID   string
	CardType string
	To       []string // members whose card the code may update; nil = not known
}

// checkAgent checks a request's agentid against the app the token belongs to (there is one app).
func (s *Server) checkAgent(agentID *int) *apiError {
	if agentID == nil || *agentID == 0 {
		return errf(codeInvalidAgentID, "invalid agentid: missing or 0")
	}
	if *agentID != s.opts.AgentID {
		return errf(codeNoAppPermission, "no privilege to access agentid %d: the access_token belongs to agent %d",
			*agentID, s.opts.AgentID)
	}
	return nil
}

// sendRequest is message/send's body; the per-msgtype object is read from the raw body by name.
type sendRequest struct {
	ToUser  string `json:"touser"`
	ToParty string `json:"toparty"`
	ToTag   string `json:"totag"`
	MsgType string `json:"msgtype"`
	AgentID *int   `json:"agentid"`
}

// messageSend is POST message/send (wecom-protocol.md §3.1).
func (s *Server) messageSend(c *apiCall) (obj, *apiError) {
	var req sendRequest
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	var fields map[string]json.RawMessage
	if aerr := c.decode(&fields); aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkAgent(req.AgentID); aerr != nil {
		return nil, aerr
	}
	users, parties, tags := splitIDs(req.ToUser), splitIDs(req.ToParty), splitIDs(req.ToTag)
	all := len(users) == 1 && users[0] == "@all"
	if all {
		parties, tags = nil, nil // "当touser为@all时忽略本参数"
	}
	switch {
	case len(users) == 0 && len(parties) == 0 && len(tags) == 0:
		return nil, errf(codeAllEmpty, "All touser & toparty & totag invalid: all empty")
	case len(users) > maxToUser:
		return nil, errf(codeUserListTooLong, "invalid userid list length %d, at most %d", len(users), maxToUser)
	case len(parties) > maxToPartyOrTag:
		return nil, errInvalidParam("toparty has %d entries, at most %d", len(parties), maxToPartyOrTag)
	case len(tags) > maxToPartyOrTag:
		return nil, errInvalidParam("totag has %d entries, at most %d", len(tags), maxToPartyOrTag)
	}

	view, aerr := checkContent(req.MsgType, fields[req.MsgType], true)
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var media *UploadedMedia
	if view.mediaID != "" {
		if media, aerr = s.checkMediaLocked(view.mediaID); aerr != nil {
			return nil, aerr
		}
	}
	st := s.ext()
	var cb *cardBody
	if req.MsgType == "template_card" {
		cb = view.card
		if cb.TaskID != "" {
			if _, dup := st.cards[cb.TaskID]; dup {
				return nil, errf(codeTaskID, "taskid has existed or empty or exceed max len: %q was already used by this app", cb.TaskID)
			}
		}
	}
	rcpt := s.resolveLocked(users, parties, tags, all)
	if !rcpt.anyValid {
		return nil, errf(codeAllInvalid, "user & party & tag all invalid")
	}

	now := s.opts.Now()
	var delivered, dropped []string
	for _, u := range rcpt.users {
		if s.admitLocked(u, now) {
			delivered = append(delivered, u)
		} else {
			dropped = append(dropped, u)
		}
	}
	msgID := "msg" + randomHex(40)
	res := obj{"msgid": msgID}
	if len(rcpt.invalidUser) > 0 {
		res["invaliduser"] = strings.Join(rcpt.invalidUser, "|")
	}
	if len(rcpt.invalidParty) > 0 {
		res["invalidparty"] = strings.Join(rcpt.invalidParty, "|")
	}
	if len(rcpt.invalidTag) > 0 {
		res["invalidtag"] = strings.Join(rcpt.invalidTag, "|")
	}
	base := SentMessage{API: "message/send", MsgType: req.MsgType, Body: slices.Clone(c.body), MsgID: msgID,
		Title: view.title, Content: view.content, URL: view.url, Truncated: view.truncated}
	if media != nil {
		base.MediaID, base.FileName = media.MediaID, media.Name
	}
	if cb != nil {
		base.TaskID = cb.TaskID
		if cb.TaskID != "" {
			st.cards[cb.TaskID] = &card{TaskID: cb.TaskID, CardType: cb.CardType, To: rcpt.users, Sent: now}
		}
		if interactiveCard(cb.CardType) {
			code := randomHex(40)
			st.codes[code] = &responseCode{Issued: now, TaskID: cb.TaskID, CardType: cb.CardType, To: rcpt.users}
			res["response_code"] = code
			base.ResponseCode = code
		}
	}
	if len(delivered) > 0 || len(dropped) == 0 {
		m := base
		m.To = orEmpty(delivered)
		s.recordLocked(m, now)
	}
	if len(dropped) > 0 {
		m := base
		m.To, m.Dropped = dropped, true
		s.recordLocked(m, now)
		s.opts.Logger.Info("emulator: per-member limit dropped a message", "msgid", msgID, "members", dropped)
	}
	return res, nil
}

func (s *Server) recordLocked(m SentMessage, now time.Time) {
	s.msgSeq++
	m.Seq, m.Time = s.msgSeq, now
	s.sent = append(s.sent, m)
}

// admitLocked applies WeCom's per-app, per-member limit (30/min, 1000/hour by default; Options.MemberMinute
// may shorten the minute): it reports whether userid may receive one more message now and, if so, counts it.
// Dropped messages do not count.
func (s *Server) admitLocked(userid string, now time.Time) bool {
	ts := pruneBefore(s.memRate[userid], now.Add(-time.Hour).Add(time.Nanosecond))
	s.memRate[userid] = ts
	minuteAgo := now.Add(-s.opts.MemberMinute)
	inMinute := 0
	for _, t := range ts {
		if t.After(minuteAgo) {
			inMinute++
		}
	}
	if len(ts) >= s.opts.MemberPerHour || inMinute >= s.opts.MemberPerMinute {
		return false
	}
	s.memRate[userid] = append(ts, now)
	return true
}

func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// splitIDs splits a "a|b|c" recipient list; blanks around ids are tolerated as in WeCom's own samples.
func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// recipients is a resolved recipient list.
type recipients struct {
	users                                 []string // deliverable userids, deduplicated, in order
	invalidUser, invalidParty, invalidTag []string
	anyValid                              bool // at least one user, party or tag was valid
}

// deliverable reports whether a member can receive app messages: inside the app's visibility and active.
func deliverable(m *Member) bool { return m != nil && m.Visible && m.Status == 1 }

// resolveLocked expands users, departments (with their sub-departments) and tags (their users and
// departments) into deliverable userids. Unknown or invisible userids go to invalidUser (lower-cased, as
// WeCom reports them), unknown departments and tags to invalidParty/invalidTag.
func (s *Server) resolveLocked(users, parties, tags []string, all bool) recipients {
	o := s.org
	var r recipients
	add := func(id string) {
		if !slices.Contains(r.users, id) {
			r.users = append(r.users, id)
		}
	}
	addInvalid := func(list *[]string, id string) {
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	addParty := func(id int) {
		sub := o.subDepartments(id)
		for _, m := range o.Members {
			if deliverable(m) && slices.ContainsFunc(m.Department, func(d int) bool { return slices.Contains(sub, d) }) {
				add(m.UserID)
			}
		}
	}
	if all {
		r.anyValid = true
		for _, m := range o.Members {
			if deliverable(m) {
				add(m.UserID)
			}
		}
		return r
	}
	for _, u := range users {
		m := o.memberFold(u)
		if !deliverable(m) {
			addInvalid(&r.invalidUser, strings.ToLower(u))
			continue
		}
		r.anyValid = true
		add(m.UserID)
	}
	for _, p := range parties {
		id, err := strconv.Atoi(p)
		if err != nil || o.department(id) == nil {
			addInvalid(&r.invalidParty, p)
			continue
		}
		r.anyValid = true
		addParty(id)
	}
	for _, t := range tags {
		id, err := strconv.Atoi(t)
		tag := o.tag(id)
		if err != nil || tag == nil {
			addInvalid(&r.invalidTag, t)
			continue
		}
		r.anyValid = true
		for _, u := range tag.UserIDs {
			if m := o.member(u); deliverable(m) {
				add(m.UserID)
			}
		}
		for _, p := range tag.PartyIDs {
			addParty(p)
		}
	}
	return r
}

// contentView is what a validated message shows.
type contentView struct {
	title, content, url string
	mediaID             string // image, voice, video, file: checked against the uploads by the caller
	truncated           bool
	card                *cardBody
}

// checkContent validates the msgtype object of message/send (appSend) or appchat/send (!appSend) like
// WeCom: 40008 for a type the API does not take, 44004 for empty content, text over 2048 bytes cut
// (40058 over 5120), markdown over 2048 bytes 45002, 41006 for a missing
// media_id, 40058 for other missing or over-long fields. textcard title/description over the limit are
// accepted and cut, as WeCom truncates them.
func checkContent(msgType string, raw json.RawMessage, appSend bool) (contentView, *apiError) {
	var v contentView
	decode := func(dst any) *apiError {
		if len(raw) == 0 || string(raw) == "null" {
			return nil // missing object: its required fields are reported as missing below
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return errWrongJSON("%s: %v", msgType, err)
		}
		return nil
	}
	switch msgType {
	case "text", "markdown":
		var b struct {
			Content string `json:"content"`
		}
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		if b.Content == "" {
			return v, errf(codeEmptyContent, "empty content")
		}
		switch {
		case msgType == "text" && len(b.Content) > maxTextAccepted:
			return v, errInvalidParam("text.content size %d bytes exceeds %d", len(b.Content), maxTextAccepted)
		case msgType == "text":
			// DOC/90236: "最长不超过2048个字节，超过将截断" — accepted, and the member sees the first 2048 bytes.
			v.content, v.truncated = truncateBytes(b.Content, maxTextBytes)
		case len(b.Content) > maxTextBytes:
			return v, errf(codeContentTooLong, "content size out of limit: %d bytes, at most %d", len(b.Content), maxTextBytes)
		default:
			v.content = b.Content
		}
	case "textcard":
		var b struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
		}
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		switch {
		case b.Title == "":
			return v, errInvalidParam("textcard.title missing")
		case b.Description == "":
			return v, errInvalidParam("textcard.description missing")
		case b.URL == "":
			return v, errInvalidParam("textcard.url missing")
		}
		var t1, t2 bool
		v.title, t1 = truncateBytes(b.Title, maxCardTitle)
		v.content, t2 = truncateBytes(b.Description, maxCardDesc)
		v.url, v.truncated = b.URL, t1 || t2
	case "image", "voice", "video", "file":
		var b struct {
			MediaID string `json:"media_id"`
		}
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		if b.MediaID == "" {
			return v, errf(codeMissingMediaID, "%s.media_id missing", msgType)
		}
		v.mediaID = b.MediaID
	case "news", "mpnews":
		var b struct {
			Articles []struct {
				Title        string `json:"title"`
				URL          string `json:"url"`
				ThumbMediaID string `json:"thumb_media_id"`
				Content      string `json:"content"`
			} `json:"articles"`
		}
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		if len(b.Articles) < 1 || len(b.Articles) > 8 {
			return v, errInvalidParam("%s.articles must have 1 to 8 entries, got %d", msgType, len(b.Articles))
		}
		for i, a := range b.Articles {
			switch {
			case a.Title == "":
				return v, errf(codeMissingTitle, "%s.articles[%d].title missing", msgType, i)
			case msgType == "mpnews" && a.ThumbMediaID == "":
				return v, errf(codeMissingMediaID, "mpnews.articles[%d].thumb_media_id missing", i)
			case msgType == "mpnews" && a.Content == "":
				return v, errf(codeEmptyContent, "mpnews.articles[%d].content empty", i)
			}
		}
		v.title, v.url = b.Articles[0].Title, b.Articles[0].URL
	case "miniprogram_notice":
		if !appSend {
			return v, errf(codeInvalidMsgType, "invalid message type %q for appchat/send", msgType)
		}
		var b struct {
			AppID string `json:"appid"`
			Title string `json:"title"`
		}
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		if b.AppID == "" || b.Title == "" {
			return v, errInvalidParam("miniprogram_notice.appid and title are required")
		}
		v.title = b.Title
	case "template_card":
		if !appSend {
			return v, errf(codeInvalidMsgType, "invalid message type %q: appchat/send does not take template cards", msgType)
		}
		var b cardBody
		if aerr := decode(&b); aerr != nil {
			return v, aerr
		}
		if aerr := b.check(true); aerr != nil {
			return v, aerr
		}
		v.card = &b
		if b.MainTitle != nil {
			v.title = b.MainTitle.Title
		}
		v.content = b.shown()
	default:
		return v, errf(codeInvalidMsgType, "invalid message type %q", msgType)
	}
	return v, nil
}

// truncateBytes cuts s to at most n bytes on a UTF-8 boundary.
func truncateBytes(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// CardShown is what the emulator records as a template card's Content (its JSON, as message/send carries
// it under "template_card"); "" when it is not a card.
func CardShown(card []byte) string {
	var b cardBody
	if json.Unmarshal(card, &b) != nil {
		return ""
	}
	return b.shown()
}

// shown is a card's text as the member reads it below its title: the title's desc, the sub_title_text, then
// each horizontal_content_list row as "keyname: value", then the quote_area, a line each.
func (b *cardBody) shown() string {
	lines := []string{}
	if b.MainTitle != nil && b.MainTitle.Desc != "" {
		lines = append(lines, b.MainTitle.Desc)
	}
	if b.SubTitleText != "" {
		lines = append(lines, b.SubTitleText)
	}
	for _, raw := range b.HorizontalContentList {
		var row struct {
			KeyName string `json:"keyname"`
			Value   string `json:"value"`
		}
		if json.Unmarshal(raw, &row) == nil && row.KeyName != "" {
			lines = append(lines, row.KeyName+": "+row.Value)
		}
	}
	if q := b.QuoteArea; q != nil {
		for _, s := range []string{q.Title, q.QuoteText} {
			if s != "" {
				lines = append(lines, s)
			}
		}
	}
	return strings.Join(lines, "\n")
}

// cardBody is the part of a template card the emulator validates (field limits: DOC/90372 as carried in
// zsmhub/workweixin's generated structs; DOC/94945 for updates).
type cardBody struct {
	CardType   string `json:"card_type"`
	TaskID     string `json:"task_id"`
	ActionMenu *struct {
		ActionList []struct {
			Text string `json:"text"`
			Key  string `json:"key"`
		} `json:"action_list"`
	} `json:"action_menu"`
	MainTitle *struct {
		Title string `json:"title"`
		Desc  string `json:"desc"`
	} `json:"main_title"`
	SubTitleText string `json:"sub_title_text"`
	CardAction   *struct {
		Type  int    `json:"type"`
		URL   string `json:"url"`
		AppID string `json:"appid"`
	} `json:"card_action"`
	CardImage             json.RawMessage   `json:"card_image"`
	ImageTextArea         json.RawMessage   `json:"image_text_area"`
	HorizontalContentList []json.RawMessage `json:"horizontal_content_list"`
	QuoteArea             *struct {
		Type      int    `json:"type"`
		URL       string `json:"url"`
		AppID     string `json:"appid"`
		Title     string `json:"title"`
		QuoteText string `json:"quote_text"`
	} `json:"quote_area"`
	JumpList            []json.RawMessage `json:"jump_list"`
	VerticalContentList []json.RawMessage `json:"vertical_content_list"`
	ButtonList          []struct {
		Type int    `json:"type"`
		Text string `json:"text"`
		Key  string `json:"key"`
		URL  string `json:"url"`
	} `json:"button_list"`
	Checkbox *struct {
		QuestionKey string `json:"question_key"`
		OptionList  []struct {
			ID string `json:"id"`
		} `json:"option_list"`
	} `json:"checkbox"`
	SelectList []struct {
		QuestionKey string `json:"question_key"`
		OptionList  []struct {
			ID string `json:"id"`
		} `json:"option_list"`
	} `json:"select_list"`
	SubmitButton *struct {
		Key string `json:"key"`
	} `json:"submit_button"`
}

// interactiveCard reports whether message/send returns a response_code for the card type.
func interactiveCard(t string) bool {
	return t == "button_interaction" || t == "vote_interaction" || t == "multiple_interaction"
}

var taskIDRE = regexp.MustCompile(`^[0-9A-Za-z_@-]+$`)

// check validates a card. newTask is false for update_template_card's replacement card, whose task_id need
// not be new.
func (b *cardBody) check(newTask bool) *apiError {
	switch b.CardType {
	case "text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction":
	case "":
		return errInvalidParam("template_card.card_type missing")
	default:
		return errInvalidParam("invalid template_card.card_type %q", b.CardType)
	}
	needTask := interactiveCard(b.CardType) || b.ActionMenu != nil
	switch {
	case b.TaskID == "" && needTask && newTask:
		return errf(codeTaskID, "taskid has existed or empty or exceed max len: task_id is required for %s", b.CardType)
	case len(b.TaskID) > maxTaskIDBytes:
		return errf(codeTaskID, "taskid has existed or empty or exceed max len: %d bytes, at most %d", len(b.TaskID), maxTaskIDBytes)
	case b.TaskID != "" && !taskIDRE.MatchString(b.TaskID):
		return errInvalidParam("invalid task_id %q: only 0-9 A-Z a-z _ - @ allowed", b.TaskID)
	}
	if b.ActionMenu != nil {
		if n := len(b.ActionMenu.ActionList); n < 1 || n > 3 {
			return errInvalidParam("action_menu.action_list must have 1 to 3 entries, got %d", n)
		}
		var keys []string
		for i, a := range b.ActionMenu.ActionList {
			if a.Key == "" || slices.Contains(keys, a.Key) {
				return errInvalidParam("action_menu.action_list[%d].key missing or duplicate", i)
			}
			keys = append(keys, a.Key)
		}
	}
	title := ""
	if b.MainTitle != nil {
		title = b.MainTitle.Title
	}
	switch {
	case b.CardType == "text_notice" && title == "" && b.SubTitleText == "":
		return errInvalidParam("text_notice needs main_title.title or sub_title_text")
	case b.CardType != "text_notice" && title == "":
		return errInvalidParam("template_card.main_title.title missing")
	case len(b.HorizontalContentList) > 6:
		return errInvalidParam("horizontal_content_list has %d entries, at most 6", len(b.HorizontalContentList))
	case len(b.JumpList) > 3:
		return errInvalidParam("jump_list has %d entries, at most 3", len(b.JumpList))
	case len(b.VerticalContentList) > 4:
		return errInvalidParam("vertical_content_list has %d entries, at most 4", len(b.VerticalContentList))
	}
	// DOC/90372: every row needs its keyname, and a linked row what it links to; so does a linked quote.
	for i, raw := range b.HorizontalContentList {
		var row struct {
			Type    int    `json:"type"`
			KeyName string `json:"keyname"`
			URL     string `json:"url"`
			MediaID string `json:"media_id"`
			UserID  string `json:"userid"`
		}
		if json.Unmarshal(raw, &row) != nil {
			return errInvalidParam("horizontal_content_list[%d] is not an object", i)
		}
		switch {
		case row.KeyName == "":
			return errInvalidParam("horizontal_content_list[%d].keyname missing", i)
		case row.Type < 0 || row.Type > 3:
			return errInvalidParam("invalid horizontal_content_list[%d].type %d", i, row.Type)
		case row.Type == 1 && row.URL == "":
			return errInvalidParam("horizontal_content_list[%d].url missing for type 1", i)
		case row.Type == 2 && row.MediaID == "":
			return errInvalidParam("horizontal_content_list[%d].media_id missing for type 2", i)
		case row.Type == 3 && row.UserID == "":
			return errInvalidParam("horizontal_content_list[%d].userid missing for type 3", i)
		}
	}
	if q := b.QuoteArea; q != nil {
		switch {
		case q.Type < 0 || q.Type > 2:
			return errInvalidParam("invalid quote_area.type %d", q.Type)
		case q.Type == 1 && q.URL == "":
			return errInvalidParam("quote_area.url missing for type 1")
		case q.Type == 2 && q.AppID == "":
			return errInvalidParam("quote_area.appid missing for type 2")
		}
	}
	if b.CardType == "text_notice" || b.CardType == "news_notice" {
		a := b.CardAction
		switch {
		case a == nil:
			return errInvalidParam("%s.card_action missing", b.CardType)
		case a.Type == 1 && a.URL == "":
			return errInvalidParam("card_action.url missing for type 1")
		case a.Type == 2 && a.AppID == "":
			return errInvalidParam("card_action.appid missing for type 2")
		case a.Type != 1 && a.Type != 2:
			return errInvalidParam("invalid card_action.type %d", a.Type)
		}
	}
	if b.CardType == "news_notice" && len(b.CardImage) == 0 && len(b.ImageTextArea) == 0 {
		return errInvalidParam("news_notice needs card_image or image_text_area")
	}
	switch b.CardType {
	case "button_interaction":
		if n := len(b.ButtonList); n < 1 || n > 6 {
			return errInvalidParam("button_list must have 1 to 6 buttons, got %d", n)
		}
		var keys []string
		for i, bt := range b.ButtonList {
			switch {
			case bt.Text == "":
				return errInvalidParam("button_list[%d].text missing", i)
			case bt.Type == 1 && bt.URL == "":
				return errInvalidParam("button_list[%d].url missing for type 1", i)
			case bt.Type != 1 && bt.Key == "":
				return errInvalidParam("button_list[%d].key missing", i)
			case len(bt.Key) > maxButtonKey:
				return errInvalidParam("button_list[%d].key longer than %d bytes", i, maxButtonKey)
			case bt.Key != "" && slices.Contains(keys, bt.Key):
				return errInvalidParam("button_list[%d].key %q duplicate", i, bt.Key)
			}
			if bt.Key != "" {
				keys = append(keys, bt.Key)
			}
		}
	case "vote_interaction":
		cb := b.Checkbox
		if cb == nil || cb.QuestionKey == "" || len(cb.OptionList) < 1 || len(cb.OptionList) > 20 {
			return errInvalidParam("vote_interaction needs checkbox with question_key and 1 to 20 options")
		}
		if aerr := uniqueOptionIDs("checkbox", cb.OptionList); aerr != nil {
			return aerr
		}
		if b.SubmitButton == nil || b.SubmitButton.Key == "" {
			return errInvalidParam("vote_interaction needs submit_button.key")
		}
	case "multiple_interaction":
		if n := len(b.SelectList); n < 1 || n > 3 {
			return errInvalidParam("select_list must have 1 to 3 selectors, got %d", n)
		}
		var keys []string
		for i, sl := range b.SelectList {
			if sl.QuestionKey == "" || slices.Contains(keys, sl.QuestionKey) {
				return errInvalidParam("select_list[%d].question_key missing or duplicate", i)
			}
			keys = append(keys, sl.QuestionKey)
			if len(sl.OptionList) < 1 || len(sl.OptionList) > 10 {
				return errInvalidParam("select_list[%d] must have 1 to 10 options", i)
			}
			if aerr := uniqueOptionIDs("select_list", sl.OptionList); aerr != nil {
				return aerr
			}
		}
		if b.SubmitButton == nil || b.SubmitButton.Key == "" {
			return errInvalidParam("multiple_interaction needs submit_button.key")
		}
	}
	return nil
}

func uniqueOptionIDs(where string, opts []struct {
	ID string `json:"id"`
}) *apiError {
	var ids []string
	for i, o := range opts {
		if o.ID == "" || len(o.ID) > 128 || slices.Contains(ids, o.ID) {
			return errInvalidParam("%s option %d: id missing, longer than 128 bytes or duplicate", where, i)
		}
		ids = append(ids, o.ID)
	}
	return nil
}

// updateRequest is message/update_template_card's body (DOC/94945).
type updateRequest struct {
	UserIDs      []string `json:"userids"`
	PartyIDs     []int    `json:"partyids"`
	TagIDs       []int    `json:"tagids"`
	AtAll        int      `json:"atall"`
	AgentID      *int     `json:"agentid"`
	ResponseCode string   `json:"response_code"`
	Button       *struct {
		ReplaceName string `json:"replace_name"`
	} `json:"button"`
	TemplateCard json.RawMessage `json:"template_card"`
}

// updateTemplateCard is POST message/update_template_card (wecom-protocol.md §3.2). A response_code is good
// for one call within 72 h. When the card's recipients are known, members outside them are reported in
// invaliduser (an array here, unlike message/send).
func (s *Server) updateTemplateCard(c *apiCall) (obj, *apiError) {
	var req updateRequest
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkAgent(req.AgentID); aerr != nil {
		return nil, aerr
	}
	switch {
	case len(req.UserIDs) > maxToUser:
		return nil, errf(codeUserListTooLong, "invalid userid list length %d, at most %d", len(req.UserIDs), maxToUser)
	case len(req.PartyIDs) > maxToPartyOrTag || len(req.TagIDs) > maxToPartyOrTag:
		return nil, errInvalidParam("partyids and tagids take at most %d entries", maxToPartyOrTag)
	case req.AtAll == 0 && len(req.UserIDs) == 0 && len(req.PartyIDs) == 0 && len(req.TagIDs) == 0:
		return nil, errf(codeAllEmpty, "userids, partyids and tagids all empty and atall is 0")
	case req.ResponseCode == "":
		return nil, errInvalidParam("response_code missing")
	case (req.Button != nil) == (len(req.TemplateCard) > 0 && string(req.TemplateCard) != "null"):
		return nil, errInvalidParam("give exactly one of button and template_card")
	}
	view := contentView{}
	msgType := "update_button"
	if req.Button != nil {
		if req.Button.ReplaceName == "" {
			return nil, errInvalidParam("button.replace_name missing")
		}
		view.title = req.Button.ReplaceName
	} else {
		msgType = "template_card"
		var b cardBody
		if err := json.Unmarshal(req.TemplateCard, &b); err != nil {
			return nil, errWrongJSON("template_card: %v", err)
		}
		if aerr := b.check(false); aerr != nil {
			return nil, aerr
		}
		if b.MainTitle != nil {
			view.title = b.MainTitle.Title
		}
		view.card = &b
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ext()
	now := s.opts.Now()
	rc, ok := st.codes[req.ResponseCode]
	switch {
	case !ok:
		return nil, errInvalidParam("invalid response_code: not issued to this app")
	case rc.Used:
		return nil, errInvalidParam("invalid response_code: already used (each code updates a card once)")
	case !now.Before(rc.Issued.Add(codeValidity)):
		return nil, errInvalidParam("invalid response_code: expired (valid %v after it was issued)", codeValidity)
	case req.Button != nil && !interactiveCard(rc.CardType):
		return nil, errInvalidParam("button can only be updated on button/vote/multiple interaction cards, not %s", rc.CardType)
	}
	var users, parties, tags []string
	users = req.UserIDs
	for _, p := range req.PartyIDs {
		parties = append(parties, strconv.Itoa(p))
	}
	for _, t := range req.TagIDs {
		tags = append(tags, strconv.Itoa(t))
	}
	var rcpt recipients
	if req.AtAll != 0 && rc.To != nil {
		rcpt = recipients{users: rc.To, anyValid: true}
	} else {
		rcpt = s.resolveLocked(users, parties, tags, req.AtAll != 0)
	}
	to := rcpt.users
	invalid := slices.Clone(rcpt.invalidUser)
	if rc.To != nil {
		to = nil
		for _, u := range rcpt.users {
			if slices.Contains(rc.To, u) {
				to = append(to, u)
			} else if slices.ContainsFunc(users, func(x string) bool { return strings.EqualFold(x, u) }) {
				invalid = append(invalid, strings.ToLower(u))
			}
		}
	}
	if !rcpt.anyValid {
		return nil, errf(codeAllInvalid, "user & party & tag all invalid")
	}
	rc.Used = true
	if c := st.cards[rc.TaskID]; c != nil {
		for _, u := range to {
			switch {
			case req.Button != nil:
				if c.Closed == nil {
					c.Closed = map[string]string{}
				}
				c.Closed[u] = req.Button.ReplaceName
			case view.card != nil && len(view.card.ButtonList) > 0:
				delete(c.Closed, u) // a new card with buttons
			}
		}
	}
	s.recordLocked(SentMessage{API: "message/update_template_card", To: orEmpty(to), MsgType: msgType,
		Body: slices.Clone(c.body), ResponseCode: req.ResponseCode, TaskID: rc.TaskID, Title: view.title}, now)
	return obj{"invaliduser": orEmpty(invalid)}, nil
}
