package emulator

// Group chats the app creates and sends to: appchat/{create,get,send} (wecom-protocol.md §3.3, DOC/90245,
// DOC/98914). Messages sent to a chat are recorded as SentMessages like message/send's.

import (
	"encoding/json"
	"regexp"
	"slices"
	"unicode/utf8"
)

// routesAppchat registers the group chat APIs (the client's wecom/appchat.go).
func (s *Server) routesAppchat() {
	s.handle("POST", "appchat/create", s.appchatCreate)
	s.handle("GET", "appchat/get", s.appchatGet)
	s.handle("POST", "appchat/send", s.appchatSend)
}

type chat struct {
	ID      string
	Name    string
	Owner   string
	Members []string
	ByApp   bool // created by this app; appchat/send and appchat/get refuse others with 86008
}

// maxChatMembers bounds appchat/create's userlist (DOC/90245).
const maxChatMembers = 2000

var chatIDRE = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

// appchatCreate is POST appchat/create (DOC/90245): 2 to 2000 members, chatid [0-9A-Za-z]{1,32} or generated.
func (s *Server) appchatCreate(c *apiCall) (obj, *apiError) {
	var req struct {
		Name     string   `json:"name"`
		Owner    string   `json:"owner"`
		UserList []string `json:"userlist"`
		ChatID   string   `json:"chatid"`
	}
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	if n := len(req.UserList); n < 2 || n > maxChatMembers {
		return nil, errf(codeChatMemberCount, "chat must have 2 to %d members, got %d", maxChatMembers, n)
	}
	if req.ChatID != "" && !chatIDRE.MatchString(req.ChatID) {
		return nil, errf(codeInvalidChatID, "invalid chatid %q: 1-32 characters of 0-9 a-z A-Z", req.ChatID)
	}
	if utf8.RuneCountInString(req.Name) > 50 { // "最多50个utf8字符，超过将截断"
		req.Name = string([]rune(req.Name)[:50])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ext()
	var members []string
	for _, u := range req.UserList {
		m := s.org.memberFold(u)
		if !deliverable(m) {
			return nil, errf(codeChatMember, "invalid chat member %q", u)
		}
		if !slices.Contains(members, m.UserID) {
			members = append(members, m.UserID)
		}
	}
	if len(members) < 2 {
		return nil, errf(codeChatMemberCount, "chat must have at least 2 distinct members")
	}
	owner := members[0] // WeCom picks one at random when owner is empty; the first is as good
	if req.Owner != "" {
		m := s.org.memberFold(req.Owner)
		if m == nil || !slices.Contains(members, m.UserID) {
			return nil, errf(codeChatOwner, "invalid owner %q: must be one of userlist", req.Owner)
		}
		owner = m.UserID
	}
	id := req.ChatID
	if id == "" {
		id = "wr" + randomHex(30)
	}
	if _, dup := st.chats[id]; dup {
		return nil, errf(codeInvalidChatID, "chatid %q already exists", id)
	}
	st.chats[id] = &chat{ID: id, Name: req.Name, Owner: owner, Members: members, ByApp: true}
	st.chatIDs = append(st.chatIDs, id)
	return obj{"chatid": id}, nil
}

// chatLocked returns a chat this app may use, or WeCom's error for it.
func (s *Server) chatLocked(id string) (*chat, *apiError) {
	ch, ok := s.ext().chats[id]
	switch {
	case id == "" || !ok:
		return nil, errf(codeInvalidChatID, "invalid chatid %q", id)
	case !ch.ByApp:
		return nil, errf(codeNotOwnChat, "chat %q was not created by this app", id)
	}
	return ch, nil
}

// appchatGet is GET appchat/get?chatid= (DOC/98914).
func (s *Server) appchatGet(c *apiCall) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatLocked(c.query("chatid"))
	if aerr != nil {
		return nil, aerr
	}
	return obj{"chat_info": obj{"chatid": ch.ID, "name": ch.Name, "owner": ch.Owner,
		"userlist": slices.Clone(ch.Members), "chat_type": 0}}, nil
}

// appchatSend is POST appchat/send (wecom-protocol.md §3.3). The group limits (200/min, 10,000/day per
// member) are not emulated; the per-member app-message limit does not apply to chats.
func (s *Server) appchatSend(c *apiCall) (obj, *apiError) {
	var req struct {
		ChatID  string `json:"chatid"`
		MsgType string `json:"msgtype"`
	}
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	var fields map[string]json.RawMessage
	if aerr := c.decode(&fields); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatLocked(req.ChatID)
	if aerr != nil {
		return nil, aerr
	}
	view, aerr := checkContent(req.MsgType, fields[req.MsgType], false)
	if aerr != nil {
		return nil, aerr
	}
	m := SentMessage{API: "appchat/send", To: slices.Clone(ch.Members), ChatID: ch.ID,
		MsgType: req.MsgType, Body: slices.Clone(c.body), Title: view.title, Content: view.content,
		URL: view.url, Truncated: view.truncated}
	if view.mediaID != "" {
		media, aerr := s.checkMediaLocked(view.mediaID)
		if aerr != nil {
			return nil, aerr
		}
		m.MediaID, m.FileName = media.MediaID, media.Name
	}
	s.recordLocked(m, s.opts.Now())
	return nil, nil
}
