package emulator

// The control API under /_emulator/: what a test or the demo uses to play the WeCom users (send a message,
// click a card, apply for an account), to see what the bot sent and called, and to inject faults. JSON in
// and out; errors are {"error":"..."} with a 4xx status, or 502 when the bot cannot be reached.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxControlBody bounds a control request; maxControlText bounds a simulated user message.
const (
	maxControlBody = 64 << 10
	maxControlText = 16 << 10
)

// controlError is a control API failure with its HTTP status.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

func badRequest(format string, args ...any) *controlError {
	return &controlError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

type controlHandler func(r *http.Request) (any, error)

type controlRoute struct {
	method  string
	handler controlHandler
}

const controlIndex = `WeCom emulator control API (JSON in and out; errors are {"error": "..."})

POST /_emulator/send           {"from":"lisi","text":"/help"}
                               deliver a text message from a member to the bot
                               -> {"status":200,"attempts":1,"msgid":"..."}; 502 when the bot is unreachable
POST /_emulator/event          {"from":"lisi","event":"click","event_key":"..."}
                               events: enter_agent, click, template_card_event (task_id, event_key,
                               card_type, response_code, selected_items), submit_vip_account_approval
                               (business_type, apply_reason), finish_vip_account_approval (apply_id,
                               finish_type), security (change_type)
POST /_emulator/verify-url     {} run WeCom's GET echostr check against the callback URL
GET  /_emulator/messages[?to=USERID]  messages the bot sent, in order (dropped ones flagged)
GET  /_emulator/calls[?path=message/send]  API calls the bot made, in order
GET  /_emulator/media?id=MEDIA_ID  an uploaded file (media/upload) while its media_id is valid:
                               {"media_id","type","name","size","created_at","data"} (data base64)
POST /_emulator/fail           {"path":"message/send","errcode":45009,"times":2}  inject failures
POST /_emulator/expire-tokens  expire every access_token (next call gets 42001)
POST /_emulator/oauth-code     {"userid":"lisi","scope":"snsapi_privateinfo"} or {"external_userid":"wm..."}  -> {"code":"..."}
                               for auth/getuserinfo (single use, 5 minutes)
POST /_emulator/tag-members    {"tag_id":1,"add":["lisi"],"del":["wujiu"]}  change a tag's members; delivers
                               change_contact update_tag (TagId, AddUserItems, DelUserItems)
POST /_emulator/delete-user    {"userid":"wujiu"}  delete a member; delivers change_contact delete_user
POST /_emulator/create-user    {"userid":"liuyi","name":"刘一","department":[3]}  add a member; delivers
                               change_contact create_user (UserID, Department)
POST /_emulator/move-user      {"userid":"lisi","department":[3]}  set a member's departments; delivers
                               change_contact update_user (UserID, Department)
POST /_emulator/move-department {"id":5,"parent_id":3}  move a department; delivers update_party (Id, ParentId)
POST /_emulator/delete-department {"id":5}  delete an empty department; delivers delete_party (Id)
`

// routesControl serves the control API under /_emulator/.
func (s *Server) routesControl() {
	routes := map[string]controlRoute{
		"send":              {"POST", s.ctlSend},
		"event":             {"POST", s.ctlEvent},
		"verify-url":        {"POST", s.ctlVerifyURL},
		"messages":          {"GET", s.ctlMessages},
		"calls":             {"GET", s.ctlCalls},
		"media":             {"GET", s.ctlMedia},
		"fail":              {"POST", s.ctlFail},
		"expire-tokens":     {"POST", s.ctlExpireTokens},
		"oauth-code":        {"POST", s.ctlOAuthCode},
		"tag-members":       {"POST", s.ctlTagMembers},
		"delete-user":       {"POST", s.ctlDeleteUser},
		"create-user":       {"POST", s.ctlCreateUser},
		"move-user":         {"POST", s.ctlMoveUser},
		"move-department":   {"POST", s.ctlMoveDepartment},
		"delete-department": {"POST", s.ctlDeleteDepartment},
	}
	s.mux.HandleFunc("/_emulator/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/_emulator/")
		if name == "" {
			if r.Method != "GET" && r.Method != "HEAD" {
				writeControl(w, http.StatusMethodNotAllowed, obj{"error": "use GET"})
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, controlIndex)
			return
		}
		rt, ok := routes[name]
		if !ok {
			writeControl(w, http.StatusNotFound, obj{"error": "no control endpoint " + strconv.Quote(name) + "; see GET /_emulator/"})
			return
		}
		if r.Method != rt.method {
			w.Header().Set("Allow", rt.method)
			writeControl(w, http.StatusMethodNotAllowed, obj{"error": "use " + rt.method + " for /_emulator/" + name})
			return
		}
		res, err := rt.handler(r)
		var ce *controlError
		switch {
		case errors.As(err, &ce):
			writeControl(w, ce.status, obj{"error": ce.msg})
		case err != nil:
			writeControl(w, http.StatusInternalServerError, obj{"error": err.Error()})
		default:
			if d, ok := res.(deliveryAnswer); ok {
				writeControl(w, d.status, d.body)
				return
			}
			writeControl(w, http.StatusOK, res)
		}
	})
}

func writeControl(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// readControl decodes a bounded JSON body strictly: unknown fields are typos, and a typo in a test should
// fail loudly rather than send a different event than intended. An empty body reads as {}.
func readControl(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil {
		return badRequest("reading the body: %v", err)
	}
	if len(body) > maxControlBody {
		return &controlError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body over %d bytes", maxControlBody)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("bad JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("bad JSON body: trailing data")
	}
	return nil
}

// deliveryAnswer is a control answer with its own status (the outcome of a callback delivery).
type deliveryAnswer struct {
	status int
	body   obj
}

// deliver sends a callback and turns the outcome into the control answer: 200 with the bot's status when it
// answered (even non-200: the test sees what the bot did), 502 when it could not be reached at all.
func (s *Server) deliver(r *http.Request, xmlBody []byte, extra obj) (any, error) {
	res, err := s.Deliver(r.Context(), xmlBody)
	body := obj{"status": res.Status, "attempts": res.Attempts}
	for k, v := range extra {
		body[k] = v
	}
	if res.Reply != "" {
		body["reply"] = res.Reply
	}
	if res.ReplyError != "" {
		body["reply_error"] = res.ReplyError
	}
	switch de, isDE := isDeliveryError(err); {
	case err == nil:
		return deliveryAnswer{http.StatusOK, body}, nil
	case errors.Is(err, ErrNoCallbackURL):
		return nil, &controlError{status: http.StatusConflict, msg: "no callback URL configured: start the emulator with the bot's callback URL"}
	case isDE && de.Status != 0:
		body["error"] = fmt.Sprintf("bot at %s answered HTTP %d to every attempt", s.opts.CallbackURL, de.Status)
		return deliveryAnswer{http.StatusOK, body}, nil
	case isDE:
		body["error"] = fmt.Sprintf("bot unreachable at %s: %v", s.opts.CallbackURL, de.Err)
		return deliveryAnswer{http.StatusBadGateway, body}, nil
	default:
		body["error"] = err.Error()
		return deliveryAnswer{http.StatusBadGateway, body}, nil
	}
}

// memberFrom checks that from is a member who can use the app (inside its visibility and active), the only
// users WeCom delivers messages and events from.
func (s *Server) memberFrom(from string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.org.memberFold(from)
	switch {
	case from == "":
		return "", badRequest("from missing")
	case m == nil:
		return "", badRequest("unknown member %q", from)
	case !deliverable(m):
		return "", badRequest("member %q cannot use the app: outside its visibility or not active", from)
	}
	return m.UserID, nil
}

func (s *Server) ctlSend(r *http.Request) (any, error) {
	var req struct {
		From string `json:"from"`
		Text string `json:"text"`
	}
	if err := readControl(r, &req); err != nil {
		return nil, err
	}
	from, err := s.memberFrom(req.From)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Text == "":
		return nil, badRequest("text missing")
	case len(req.Text) > maxControlText:
		return nil, badRequest("text over %d bytes", maxControlText)
	}
	id := s.nextMsgID()
	msgID := strconv.FormatUint(id, 10)
	return s.deliver(r, s.TextMessage(from, req.Text, id, s.opts.Now()), obj{"msgid": msgID})
}

// eventRequest is POST /_emulator/event: lower_snake_case names of WeCom's XML elements.
type eventRequest struct {
	From          string         `json:"from"`
	Event         string         `json:"event"`
	EventKey      *string        `json:"event_key"`
	TaskID        string         `json:"task_id"`
	CardType      string         `json:"card_type"`
	ResponseCode  string         `json:"response_code"`
	SelectedItems []SelectedItem `json:"selected_items"`
	ApplyID       string         `json:"apply_id"`
	BusinessType  int            `json:"business_type"`
	ApplyReason   string         `json:"apply_reason"`
	FinishType    int            `json:"finish_type"`
	ChangeType    string         `json:"change_type"`
}

// setFields lists the fields a request set, by JSON name, to reject those an event does not carry.
func (q *eventRequest) setFields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(q.EventKey != nil, "event_key")
	add(q.TaskID != "", "task_id")
	add(q.CardType != "", "card_type")
	add(q.ResponseCode != "", "response_code")
	add(len(q.SelectedItems) > 0, "selected_items")
	add(q.ApplyID != "", "apply_id")
	add(q.BusinessType != 0, "business_type")
	add(q.ApplyReason != "", "apply_reason")
	add(q.FinishType != 0, "finish_type")
	add(q.ChangeType != "", "change_type")
	return out
}

var eventFields = map[string][]string{
	"enter_agent":                 {},
	"click":                       {"event_key"},
	"template_card_event":         {"event_key", "task_id", "card_type", "response_code", "selected_items"},
	"submit_vip_account_approval": {"business_type", "apply_reason"},
	"finish_vip_account_approval": {"apply_id", "finish_type"},
	"security":                    {"change_type"},
}

func (s *Server) ctlEvent(r *http.Request) (any, error) {
	var q eventRequest
	if err := readControl(r, &q); err != nil {
		return nil, err
	}
	allowed, ok := eventFields[q.Event]
	if !ok {
		names := make([]string, 0, len(eventFields))
		for k := range eventFields {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, badRequest("unknown event %q; supported: %s", q.Event, strings.Join(names, ", "))
	}
	for _, f := range q.setFields() {
		if !slices.Contains(allowed, f) {
			return nil, badRequest("%s does not apply to event %s", f, q.Event)
		}
	}
	eventKey := ""
	if q.EventKey != nil {
		eventKey = *q.EventKey
	}
	extra := obj{"event": q.Event}

	// Events from the system: FromUserName "sys".
	if q.Event == "security" || q.Event == "finish_vip_account_approval" {
		if q.From != "" && q.From != "sys" {
			return nil, badRequest("%s comes from \"sys\", not %q", q.Event, q.From)
		}
		if q.Event == "security" {
			ct := q.ChangeType
			if ct == "" {
				ct = "change_domain_ip" // the only change type WeCom documents (DOC/100080)
			}
			return s.deliver(r, s.Event("sys", "security", map[string]string{"ChangeType": ct}), extra)
		}
		switch {
		case q.ApplyID == "":
			return nil, badRequest("apply_id missing")
		case q.FinishType < 1 || q.FinishType > 3:
			return nil, badRequest("finish_type must be 1 (admin rejected), 2 (account allocated) or 3 (application deleted)")
		}
		// As in WeCom, the application is closed before the app hears of it.
		if !s.finishApplication(q.ApplyID, q.FinishType) {
			return nil, badRequest("application %q does not exist or is already finished", q.ApplyID)
		}
		extra["apply_id"] = q.ApplyID
		return s.deliver(r, s.Event("sys", q.Event, map[string]string{"ApplyId": q.ApplyID,
			"FinishType": strconv.Itoa(q.FinishType)}), extra)
	}

	from, err := s.memberFrom(q.From)
	if err != nil {
		return nil, err
	}
	switch q.Event {
	case "enter_agent":
		return s.deliver(r, s.Event(from, "enter_agent", map[string]string{"EventKey": ""}), extra)
	case "click":
		if eventKey == "" {
			return nil, badRequest("event_key missing: the menu key clicked")
		}
		return s.deliver(r, s.Event(from, "click", map[string]string{"EventKey": eventKey}), extra)
	case "submit_vip_account_approval":
		if q.BusinessType < 1 || q.BusinessType > 4 {
			return nil, badRequest("business_type must be 1 (mail), 2 (doc), 3 (drive) or 4 (meeting)")
		}
		if len(q.ApplyReason) > 1024 {
			return nil, badRequest("apply_reason over 1024 bytes")
		}
		// WeCom creates the application before telling the app; so does the emulator, so the bot can read
		// it back with advanced_feature/get_approval_info.
		applyID := s.createApplication(from, q.BusinessType, q.ApplyReason)
		extra["apply_id"] = applyID
		return s.deliver(r, s.Event(from, q.Event, map[string]string{"ApplyId": applyID,
			"BusinessType": strconv.Itoa(q.BusinessType), "ApplyReason": q.ApplyReason}), extra)
	}

	// template_card_event
	ev := CardEvent{EventKey: eventKey, TaskID: q.TaskID, CardType: q.CardType, ResponseCode: q.ResponseCode,
		SelectedItems: q.SelectedItems}
	if ev.TaskID == "" || ev.EventKey == "" {
		return nil, badRequest("template_card_event needs task_id and event_key (the button or submit key)")
	}
	for i, it := range ev.SelectedItems {
		if it.QuestionKey == "" || len(it.OptionIDs) == 0 {
			return nil, badRequest("selected_items[%d] needs question_key and option_ids", i)
		}
	}
	s.mu.Lock()
	st := s.ext()
	c := st.cards[ev.TaskID]
	var err2 error
	switch {
	case c == nil && ev.CardType == "":
		err2 = badRequest("card_type missing and task %q was not sent by the bot through this emulator", ev.TaskID)
	case c != nil && ev.CardType != "" && ev.CardType != c.CardType:
		err2 = badRequest("task %q is a %s card, not %s", ev.TaskID, c.CardType, ev.CardType)
	case c != nil && !slices.Contains(c.To, from):
		err2 = badRequest("%s did not receive the card of task %q", from, ev.TaskID)
	case c != nil && c.Closed[from] != "":
		err2 = &controlError{status: http.StatusConflict, msg: fmt.Sprintf("the card of task %q has no buttons for %s any more: they were replaced by %q", ev.TaskID, from, c.Closed[from])}
	}
	if err2 == nil {
		if c != nil {
			ev.CardType = c.CardType
		}
		if ev.ResponseCode == "" {
			// As WeCom does on a click: a fresh single-use code for update_template_card.
			ev.ResponseCode = randomHex(40)
			rc := &responseCode{Issued: s.opts.Now(), TaskID: ev.TaskID, CardType: ev.CardType}
			if c != nil {
				rc.To = c.To
			}
			st.codes[ev.ResponseCode] = rc
		}
	}
	s.mu.Unlock()
	if err2 != nil {
		return nil, err2
	}
	extra["response_code"] = ev.ResponseCode
	extra["card_type"] = ev.CardType
	return s.deliver(r, s.TemplateCardEvent(from, ev), extra)
}

func (s *Server) ctlVerifyURL(r *http.Request) (any, error) {
	if err := readControl(r, &struct{}{}); err != nil {
		return nil, err
	}
	echo, got, err := s.VerifyURL(r.Context())
	if errors.Is(err, ErrNoCallbackURL) {
		return nil, &controlError{status: http.StatusConflict, msg: "no callback URL configured"}
	}
	res := obj{"ok": err == nil, "echo": echo, "got": got}
	if err != nil {
		res["error"] = err.Error()
		if de, ok := isDeliveryError(err); ok && de.Status == 0 {
			return deliveryAnswer{http.StatusBadGateway, res}, nil
		}
	}
	return res, nil
}

func (s *Server) ctlMessages(r *http.Request) (any, error) {
	return orEmptyList(s.Messages(r.URL.Query().Get("to"))), nil
}

// ctlMedia answers an upload, so a test or a demo in another process can open the file the bot sent.
func (s *Server) ctlMedia(r *http.Request) (any, error) {
	id := r.URL.Query().Get("id")
	m, ok := s.Upload(id)
	if !ok {
		return nil, &controlError{status: http.StatusNotFound, msg: "no valid media_id " + strconv.Quote(id)}
	}
	return obj{"media_id": m.MediaID, "type": m.Type, "name": m.Name, "size": len(m.Data), "created_at": m.CreatedAt.Unix(),
		"data": m.Data}, nil // []byte encodes as base64
}

func (s *Server) ctlCalls(r *http.Request) (any, error) {
	if p := r.URL.Query().Get("path"); p != "" {
		return orEmptyList(s.CallsTo(p)), nil
	}
	return orEmptyList(s.Calls()), nil
}

func orEmptyList[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func (s *Server) ctlFail(r *http.Request) (any, error) {
	var req struct {
		Path    string `json:"path"`
		ErrCode int    `json:"errcode"`
		Times   *int   `json:"times"`
	}
	if err := readControl(r, &req); err != nil {
		return nil, err
	}
	req.Path = strings.TrimPrefix(req.Path, "/cgi-bin/")
	_, get := s.routes["GET "+req.Path]
	_, post := s.routes["POST "+req.Path]
	times := 1
	if req.Times != nil {
		times = *req.Times
	}
	switch {
	case req.Path == "" || !get && !post:
		return nil, badRequest("path %q is not an API the emulator serves", req.Path)
	case times > 0 && req.ErrCode == 0:
		return nil, badRequest("errcode missing (0 is success; times 0 clears a fault)")
	case times > 1000:
		return nil, badRequest("times over 1000")
	}
	s.Fail(req.Path, req.ErrCode, times)
	return obj{"path": req.Path, "errcode": req.ErrCode, "times": max(times, 0)}, nil
}

func (s *Server) ctlExpireTokens(r *http.Request) (any, error) {
	if err := readControl(r, &struct{}{}); err != nil {
		return nil, err
	}
	s.ExpireTokens()
	return obj{"ok": true}, nil
}

func (s *Server) ctlOAuthCode(r *http.Request) (any, error) {
	var req struct {
		UserID         string `json:"userid"`
		ExternalUserID string `json:"external_userid"`
		Scope          string `json:"scope"` // a member's link: snsapi_base (default) or snsapi_privateinfo
	}
	if err := readControl(r, &req); err != nil {
		return nil, err
	}
	if req.Scope == "" {
		req.Scope = "snsapi_base"
	}
	var code string
	var err error
	switch {
	case req.UserID != "" && req.ExternalUserID != "":
		return nil, badRequest("give userid (a member) or external_userid (a customer), not both")
	case req.UserID != "":
		code, err = s.IssueOAuthCodeScope(req.UserID, req.Scope)
	case req.ExternalUserID != "":
		code, err = s.IssueOAuthCodeExternal(req.ExternalUserID)
	default:
		return nil, badRequest("userid or external_userid missing")
	}
	if err != nil {
		return nil, err
	}
	return obj{"code": code, "expires_in": int(oauthCodeTTL.Seconds())}, nil
}
