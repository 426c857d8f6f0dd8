package wecom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Inbound is a decrypted app message or event pushed by WeCom (wecom-protocol.md §2). One struct holds every
// kind: fields a kind does not carry stay empty. Unknown kinds parse too (MsgType/Event kept), so they can be
// stored and acknowledged rather than refused.
type Inbound struct {
	ToUserName   string `xml:"ToUserName"`   // the corp id
	FromUserName string `xml:"FromUserName"` // the member's userid; "sys" for system events
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	AgentID      string `xml:"AgentID"` // absent on the security event

	// Messages.
	MsgID   string `xml:"MsgId"` // 64-bit integer; kept as text
	Content string `xml:"Content"`
	PicURL  string `xml:"PicUrl"`
	MediaID string `xml:"MediaId"`

	// Events.
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	TaskID       string `xml:"TaskId"`
	CardType     string `xml:"CardType"`
	ResponseCode string `xml:"ResponseCode"`
	// SelectedItems of a card event. WeCom's docs spell the option elements OptionIds/OptionId; one SDK's
	// sample spells them OpitonIds/OpitonId, so both are read.
	SelectedItems []SelectedItem `xml:"SelectedItems>SelectedItem"`
	ChangeType    string         `xml:"ChangeType"`   // security: change_domain_ip
	ApplyID       string         `xml:"ApplyId"`      // submit_/finish_vip_account_approval
	ApplyReason   string         `xml:"ApplyReason"`  // submit_vip_account_approval
	BusinessType  string         `xml:"BusinessType"` // 1 mail, 2 docs, 3 drive, 4 meetings
	FinishType    string         `xml:"FinishType"`   // 1 rejected by admin, 2 allocated, 3 withdrawn

	// change_contact (DOC/90376): ChangeType create_user, update_user, delete_user, create_party,
	// update_party, delete_party or update_tag. Member events name UserID (and NewUserID when an admin
	// changed the userid) and, when the member's departments are set or changed, Department (comma-separated
	// ids; DOC/90970); tag events TagId and comma-separated AddUserItems/DelUserItems/AddPartyItems/
	// DelPartyItems; party events Id and, when it is set or changed, ParentId (DOC/90971).
	UserID        string `xml:"UserID"`
	NewUserID     string `xml:"NewUserID"`
	Department    string `xml:"Department"`
	TagID         string `xml:"TagId"`
	AddUserItems  string `xml:"AddUserItems"`
	DelUserItems  string `xml:"DelUserItems"`
	AddPartyItems string `xml:"AddPartyItems"`
	DelPartyItems string `xml:"DelPartyItems"`
	PartyID       string `xml:"Id"`
	ParentID      string `xml:"ParentId"`
}

// Items splits a comma-separated list of a change_contact event (AddUserItems and the like), dropping blanks.
func Items(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// SelectedItem is one answered question of an interactive card.
type SelectedItem struct {
	QuestionKey string   `xml:"QuestionKey"`
	OptionIDs   []string `xml:"OptionIds>OptionId"`
	OptionIDs2  []string `xml:"OpitonIds>OpitonId"`
}

// Options returns the selected option ids, whichever spelling carried them.
func (s SelectedItem) Options() []string {
	return append(append([]string(nil), s.OptionIDs...), s.OptionIDs2...)
}

// Inbound kinds.
const (
	MsgTypeText  = "text"
	MsgTypeEvent = "event"
)

// ErrNotInbound is returned by ParseInbound for a document that is not a WeCom <xml> message.
var ErrNotInbound = errors.New("wecom: not an inbound message")

// maxInbound bounds a decrypted message; WeCom's are a few KB.
const maxInbound = 1 << 20

// ParseInbound parses a decrypted callback.
func ParseInbound(b []byte) (*Inbound, error) {
	if len(b) > maxInbound {
		return nil, fmt.Errorf("%w: %d bytes", ErrNotInbound, len(b))
	}
	m, ok := parseInboundFast(b)
	if !ok {
		var err error
		if m, err = parseInboundXML(b); err != nil {
			return nil, err
		}
	}
	if m.MsgType == "" {
		return nil, fmt.Errorf("%w: no MsgType", ErrNotInbound)
	}
	if m.FromUserName == "" {
		return nil, fmt.Errorf("%w: no FromUserName", ErrNotInbound)
	}
	return m, nil
}

// parseInboundFast reads a flat message through scanFlat (see xmlfast.go); false means "use encoding/xml".
func parseInboundFast(b []byte) (*Inbound, bool) {
	var m Inbound
	bad := false
	ok := scanFlat(b, func(name, value []byte) {
		v := string(value)
		switch v := v; string(name) {
		case "ToUserName":
			m.ToUserName = v
		case "FromUserName":
			m.FromUserName = v
		case "CreateTime":
			// As encoding/xml: empty is 0; otherwise the trimmed text must be an integer.
			if len(v) > 0 {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil {
					bad = true
				}
				m.CreateTime = n
			}
		case "MsgType":
			m.MsgType = v
		case "AgentID":
			m.AgentID = v
		case "MsgId":
			m.MsgID = v
		case "Content":
			m.Content = v
		case "PicUrl":
			m.PicURL = v
		case "MediaId":
			m.MediaID = v
		case "Event":
			m.Event = v
		case "EventKey":
			m.EventKey = v
		case "TaskId":
			m.TaskID = v
		case "CardType":
			m.CardType = v
		case "ResponseCode":
			m.ResponseCode = v
		case "ChangeType":
			m.ChangeType = v
		case "ApplyId":
			m.ApplyID = v
		case "ApplyReason":
			m.ApplyReason = v
		case "BusinessType":
			m.BusinessType = v
		case "FinishType":
			m.FinishType = v
		case "UserID":
			m.UserID = v
		case "NewUserID":
			m.NewUserID = v
		case "Department":
			m.Department = v
		case "TagId":
			m.TagID = v
		case "AddUserItems":
			m.AddUserItems = v
		case "DelUserItems":
			m.DelUserItems = v
		case "AddPartyItems":
			m.AddPartyItems = v
		case "DelPartyItems":
			m.DelPartyItems = v
		case "Id":
			m.PartyID = v
		case "ParentId":
			m.ParentID = v
		case "ExtAttr":
			bad = true // nested: encoding/xml reads it
		case "SelectedItems":
			bad = true // nested: encoding/xml reads it
		}
	})
	if !ok || bad {
		return nil, false
	}
	return &m, true
}

func parseInboundXML(b []byte) (*Inbound, error) {
	var m struct {
		XMLName xml.Name
		Inbound
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInbound, err)
	}
	if m.XMLName.Local != "xml" {
		return nil, fmt.Errorf("%w: root element <%s>", ErrNotInbound, m.XMLName.Local)
	}
	return &m.Inbound, nil
}

// Kind is MsgType for messages and "event:<Event>" for events.
func (m *Inbound) Kind() string {
	if m.MsgType == MsgTypeEvent {
		return "event:" + m.Event
	}
	return m.MsgType
}

// DedupeKey identifies one delivery so that WeCom's retries collapse into one. WeCom recommends MsgId for
// messages and FromUserName+CreateTime for events; CreateTime has one-second resolution, so the event key also
// takes the event's own identifying fields, keeping two different events of one second apart. Events are
// hashed to bound the key's length whatever the fields hold.
func (m *Inbound) DedupeKey() string {
	if m.MsgType != MsgTypeEvent && m.MsgID != "" {
		return "msg:" + m.MsgID
	}
	h := sha256.New()
	for _, f := range []string{m.MsgType, m.FromUserName, strconv.FormatInt(m.CreateTime, 10), m.AgentID, m.Event,
		m.EventKey, m.TaskID, m.CardType, m.ResponseCode, m.ChangeType, m.ApplyID, m.FinishType, m.MsgID, m.Content} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	// A contact change's own fields, only when it has them: the keys of every other event stay as they were
	// (a redelivery across an upgrade still collapses).
	if contact := []string{m.UserID, m.NewUserID, m.TagID, m.AddUserItems, m.DelUserItems, m.AddPartyItems, m.DelPartyItems, m.PartyID}; strings.Join(contact, "") != "" {
		for _, f := range contact {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
		if m.Department != "" { // after the others, and only when present: older keys stay as they were
			h.Write([]byte("Department\x00" + m.Department))
			h.Write([]byte{0})
		}
		if m.ParentID != "" {
			h.Write([]byte("ParentId\x00" + m.ParentID))
			h.Write([]byte{0})
		}
	}
	for _, s := range m.SelectedItems {
		h.Write([]byte(s.QuestionKey))
		for _, o := range s.Options() {
			h.Write([]byte{1})
			h.Write([]byte(o))
		}
		h.Write([]byte{0})
	}
	return "evt:" + hex.EncodeToString(h.Sum(nil)[:16])
}
