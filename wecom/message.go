package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MessageService sends app messages (应用消息) to members, departments and tags, updates the template cards it
// sent, and recalls messages.
//
// WeCom drops, without any error, messages over its per-member limits (30 a minute, 1,000 an hour from one app
// to one member; see MemberMessageLimits): a sender that must not lose messages paces itself.
type MessageService service

// MsgType is a message's msgtype.
type MsgType string

// The message types this client sends.
const (
	MsgText         MsgType = "text"
	MsgMarkdown     MsgType = "markdown"
	MsgTextCard     MsgType = "textcard"
	MsgTemplateCard MsgType = "template_card"
	MsgFile         MsgType = "file"
)

// Limits WeCom puts on message/send (wecom-protocol.md §3.1); the client refuses requests over them with a
// *ValidationError instead of letting WeCom truncate or reject them.
const (
	MaxContentBytes           = 2048 // text and markdown content, UTF-8 bytes
	MaxTextCardTitleBytes     = 128
	MaxTextCardDescBytes      = 512
	MaxTextCardBtnTxtChars    = 4
	MaxToUser                 = 1000
	MaxToParty                = 100
	MaxToTag                  = 100
	MaxDuplicateCheckInterval = 4 * 60 * 60 // seconds
	MaxTaskIDBytes            = 128
	MaxCardButtons            = 6
	MaxCardKeyBytes           = 1024
	MaxCardOptionIDBytes      = 128
)

// AllMembers is the touser value that means every member who can see the app. It is never accepted in ToUser
// (a sender's id that reads "@all" must not reach everyone); set Message.ToAll to send to all.
const AllMembers = "@all"

// Message is one app message. Set exactly one of Text, Markdown, TextCard, TemplateCard and File; MsgType may be left
// empty and is then taken from the one that is set.
type Message struct {
	ToUser  []string // userids, each one ValidUserID; at most 1,000
	ToParty []string // department ids; at most 100
	ToTag   []string // tag ids; at most 100
	// ToAll sends to every member who can see the app (touser "@all"); ToUser, ToParty and ToTag must then be
	// empty. Only an explicit ToAll sends to everyone.
	ToAll bool

	MsgType MsgType
	AgentID int // 0: the client's agentid

	Text         *Text
	Markdown     *Markdown
	TextCard     *TextCard
	TemplateCard *TemplateCard
	File         *File

	Safe                   bool // 保密消息: no forwarding, watermarked
	EnableIDTrans          bool // translate $userName=...$ style ids
	EnableDuplicateCheck   bool
	DuplicateCheckInterval int // seconds; WeCom's default 1800, at most 4 h
}

// Text is a text message's body. Content is at most 2,048 bytes; it may contain <a href> links.
type Text struct {
	Content string `json:"content"`
}

// Markdown is a markdown message's body (WeCom's markdown v1 subset); at most 2,048 bytes. WeChat (微信插件)
// does not display markdown messages.
type Markdown struct {
	Content string `json:"content"`
}

// TextCard is a text card: Title ≤128 bytes, Description ≤512 bytes (may use <div class="gray|normal|highlight">),
// URL required, BtnTxt ≤4 characters (WeCom's default "详情").
type TextCard struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	BtnTxt      string `json:"btntxt,omitempty"`
}

// File is a file message's body: a media_id from MediaService.Upload (type file), valid for 3 days. The name
// members see is the filename given at upload.
type File struct {
	MediaID string `json:"media_id"`
}

// NewFile returns a file message to the userids.
func NewFile(mediaID string, toUser ...string) *Message {
	return &Message{ToUser: toUser, MsgType: MsgFile, File: &File{MediaID: mediaID}}
}

// NewText returns a text message to the userids.
func NewText(content string, toUser ...string) *Message {
	return &Message{ToUser: toUser, MsgType: MsgText, Text: &Text{Content: content}}
}

// NewMarkdown returns a markdown message to the userids.
func NewMarkdown(content string, toUser ...string) *Message {
	return &Message{ToUser: toUser, MsgType: MsgMarkdown, Markdown: &Markdown{Content: content}}
}

// NewTextCard returns a text card message to the userids.
func NewTextCard(card TextCard, toUser ...string) *Message {
	return &Message{ToUser: toUser, MsgType: MsgTextCard, TextCard: &card}
}

// NewTemplateCard returns a template card message to the userids.
func NewTemplateCard(card *TemplateCard, toUser ...string) *Message {
	return &Message{ToUser: toUser, MsgType: MsgTemplateCard, TemplateCard: card}
}

// SendResult is message/send's answer. Recipients WeCom could not deliver to are listed (userids lower-cased
// by WeCom); the call still succeeds unless every recipient is invalid (errcode 81013).
type SendResult struct {
	InvalidUser    []string
	InvalidParty   []string
	InvalidTag     []string
	UnlicensedUser []string
	MsgID          string // for Recall
	// ResponseCode updates an interaction card (UpdateTemplateCard) once, within 72 hours.
	ResponseCode string
}

// sendRequest is message/send's body.
type sendRequest struct {
	ToUser                 string        `json:"touser,omitempty"`
	ToParty                string        `json:"toparty,omitempty"`
	ToTag                  string        `json:"totag,omitempty"`
	MsgType                MsgType       `json:"msgtype"`
	AgentID                int           `json:"agentid"`
	Text                   *Text         `json:"text,omitempty"`
	Markdown               *Markdown     `json:"markdown,omitempty"`
	TextCard               *TextCard     `json:"textcard,omitempty"`
	TemplateCard           *TemplateCard `json:"template_card,omitempty"`
	File                   *File         `json:"file,omitempty"`
	Safe                   int           `json:"safe,omitempty"`
	EnableIDTrans          int           `json:"enable_id_trans,omitempty"`
	EnableDuplicateCheck   int           `json:"enable_duplicate_check,omitempty"`
	DuplicateCheckInterval int           `json:"duplicate_check_interval,omitempty"`
}

// Send sends an app message.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90236
//
//meta:operation POST /cgi-bin/message/send
func (s *MessageService) Send(ctx context.Context, m *Message) (*SendResult, error) {
	const op = "message/send"
	if m == nil {
		return nil, invalid(op, "message", "required")
	}
	req, err := s.request(m)
	if err != nil {
		return nil, err
	}
	var out struct {
		InvalidUser    string `json:"invaliduser"`
		InvalidParty   string `json:"invalidparty"`
		InvalidTag     string `json:"invalidtag"`
		UnlicensedUser string `json:"unlicenseduser"`
		MsgID          string `json:"msgid"`
		ResponseCode   string `json:"response_code"`
	}
	if err := s.client.post(ctx, op, req, &out); err != nil {
		return nil, err
	}
	return &SendResult{
		InvalidUser:    splitPipe(out.InvalidUser),
		InvalidParty:   splitPipe(out.InvalidParty),
		InvalidTag:     splitPipe(out.InvalidTag),
		UnlicensedUser: splitPipe(out.UnlicensedUser),
		MsgID:          out.MsgID,
		ResponseCode:   out.ResponseCode,
	}, nil
}

// Encode validates m as Send does and returns the exact request body Send would post, for a caller that
// queues messages and sends them later (the bot's outbox, through Client.PostJSON).
func (s *MessageService) Encode(m *Message) ([]byte, error) {
	if m == nil {
		return nil, invalid("message/send", "message", "required")
	}
	req, err := s.request(m)
	if err != nil {
		return nil, err
	}
	return json.Marshal(req)
}

func (s *MessageService) request(m *Message) (*sendRequest, error) {
	typ, err := m.validate("message/send", true, true)
	if err != nil {
		return nil, err
	}
	toUser := joinPipe(m.ToUser) // each id was checked by validate: no "|" or "@all" inside one
	if m.ToAll {
		toUser = AllMembers
	}
	req := &sendRequest{
		ToUser:                 toUser,
		ToParty:                joinPipe(m.ToParty),
		ToTag:                  joinPipe(m.ToTag),
		MsgType:                typ,
		AgentID:                m.AgentID,
		Text:                   m.Text,
		Markdown:               m.Markdown,
		TextCard:               m.TextCard,
		TemplateCard:           m.TemplateCard,
		File:                   m.File,
		Safe:                   boolInt(m.Safe),
		EnableIDTrans:          boolInt(m.EnableIDTrans),
		EnableDuplicateCheck:   boolInt(m.EnableDuplicateCheck),
		DuplicateCheckInterval: m.DuplicateCheckInterval,
	}
	if req.AgentID == 0 {
		req.AgentID = s.client.agentID
	}
	return req, nil
}

// validate checks m and returns its msgtype. recipients: the API takes touser/toparty/totag (message/send) or
// not (appchat/send). cards: template_card is allowed.
func (m *Message) validate(op string, recipients, cards bool) (MsgType, error) {
	set := 0
	var inferred MsgType
	if m.Text != nil {
		set, inferred = set+1, MsgText
	}
	if m.Markdown != nil {
		set, inferred = set+1, MsgMarkdown
	}
	if m.TextCard != nil {
		set, inferred = set+1, MsgTextCard
	}
	if m.TemplateCard != nil {
		set, inferred = set+1, MsgTemplateCard
	}
	if m.File != nil {
		set, inferred = set+1, MsgFile
	}
	switch {
	case set == 0:
		return "", invalid(op, "msgtype", "no content: set one of Text, Markdown, TextCard, TemplateCard, File")
	case set > 1:
		return "", invalid(op, "msgtype", "more than one of Text, Markdown, TextCard, TemplateCard, File set")
	case m.MsgType != "" && m.MsgType != inferred:
		return "", invalid(op, "msgtype", fmt.Sprintf("msgtype %q does not match the %s content set", m.MsgType, inferred))
	}
	switch inferred {
	case MsgText:
		if err := checkContent(op, "text.content", m.Text.Content); err != nil {
			return "", err
		}
	case MsgMarkdown:
		if err := checkContent(op, "markdown.content", m.Markdown.Content); err != nil {
			return "", err
		}
	case MsgTextCard:
		if err := m.TextCard.validate(op); err != nil {
			return "", err
		}
	case MsgFile:
		if err := checkMediaID(op, "file.media_id", m.File.MediaID); err != nil {
			return "", err
		}
	case MsgTemplateCard:
		if !cards {
			return "", invalid(op, "msgtype", "template_card is not supported by this API")
		}
		if err := m.TemplateCard.validate(op, "template_card"); err != nil {
			return "", err
		}
	}
	if recipients {
		if err := m.validateRecipients(op); err != nil {
			return "", err
		}
		if m.ToAll {
			return inferred, m.validateDuplicateCheck(op)
		}
		if len(m.ToUser)+len(m.ToParty)+len(m.ToTag) == 0 {
			return "", invalid(op, "touser", "no recipient: set ToUser, ToParty, ToTag or ToAll")
		}
		if err := checkCount(op, "touser", len(m.ToUser), 0, MaxToUser); err != nil {
			return "", err
		}
		if err := checkCount(op, "toparty", len(m.ToParty), 0, MaxToParty); err != nil {
			return "", err
		}
		if err := checkCount(op, "totag", len(m.ToTag), 0, MaxToTag); err != nil {
			return "", err
		}
	} else if len(m.ToUser)+len(m.ToParty)+len(m.ToTag) != 0 || m.ToAll {
		return "", invalid(op, "touser", "this API sends to a chat; ToUser, ToParty, ToTag and ToAll must be empty")
	}
	return inferred, m.validateDuplicateCheck(op)
}

// validateRecipients refuses any recipient id that is not one: a "|" would split it into several recipients
// and "@all" would reach every member, so touser is only ever joined from ids checked here.
func (m *Message) validateRecipients(op string) error {
	if m.ToAll && len(m.ToUser)+len(m.ToParty)+len(m.ToTag) != 0 {
		return invalid(op, "touser", "ToAll sends to every member; ToUser, ToParty and ToTag must be empty with it")
	}
	if err := checkUserIDs(op, "touser", m.ToUser); err != nil {
		return err
	}
	for _, list := range []struct {
		field string
		ids   []string
	}{{"toparty", m.ToParty}, {"totag", m.ToTag}} {
		for i, id := range list.ids {
			if !validNumericID(id) {
				return invalid(op, list.field, fmt.Sprintf("entry %d (%.64q) is not a numeric id", i, id))
			}
		}
	}
	return nil
}

// checkUserIDs refuses a list holding anything ValidUserID rejects, quoting (a bounded part of) the bad id.
func checkUserIDs(op, field string, ids []string) error {
	for i, id := range ids {
		if !ValidUserID(id) {
			why := "is not a userid (1-64 bytes of letters, digits and _-@., optionally CorpId/ first)"
			if strings.EqualFold(id, AllMembers) {
				why = "is @all, which is not a userid; set ToAll (or AtAll) to send to every member"
			}
			return invalid(op, field, fmt.Sprintf("entry %d (%.64q) %s", i, id, why))
		}
	}
	return nil
}

func (m *Message) validateDuplicateCheck(op string) error {
	if m.DuplicateCheckInterval < 0 || m.DuplicateCheckInterval > MaxDuplicateCheckInterval {
		return invalid(op, "duplicate_check_interval",
			fmt.Sprintf("must be 0..%d seconds, got %d", MaxDuplicateCheckInterval, m.DuplicateCheckInterval))
	}
	return nil
}

// checkMediaID refuses a media_id that cannot be one: empty, over MaxMediaIDLen, or with characters outside
// the printable ASCII WeCom's ids are made of.
func checkMediaID(op, field, id string) error {
	switch {
	case id == "":
		return invalid(op, field, "required (upload the file with media/upload first)")
	case len(id) > MaxMediaIDLen:
		return invalid(op, field, fmt.Sprintf("%d bytes, at most %d", len(id), MaxMediaIDLen))
	case strings.IndexFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return invalid(op, field, fmt.Sprintf("%.64q is not a media_id (printable ASCII without spaces)", id))
	}
	return nil
}

func checkContent(op, field, content string) error {
	if content == "" {
		return invalid(op, field, "empty")
	}
	if len(content) > MaxContentBytes {
		return invalid(op, field, fmt.Sprintf("%d bytes, over WeCom's %d", len(content), MaxContentBytes))
	}
	return nil
}

func (c *TextCard) validate(op string) error {
	switch {
	case c.Title == "":
		return invalid(op, "textcard.title", "empty")
	case len(c.Title) > MaxTextCardTitleBytes:
		return invalid(op, "textcard.title", fmt.Sprintf("%d bytes, over WeCom's %d", len(c.Title), MaxTextCardTitleBytes))
	case c.Description == "":
		return invalid(op, "textcard.description", "empty")
	case len(c.Description) > MaxTextCardDescBytes:
		return invalid(op, "textcard.description",
			fmt.Sprintf("%d bytes, over WeCom's %d", len(c.Description), MaxTextCardDescBytes))
	case c.URL == "":
		return invalid(op, "textcard.url", "required")
	case utf8.RuneCountInString(c.BtnTxt) > MaxTextCardBtnTxtChars:
		return invalid(op, "textcard.btntxt", fmt.Sprintf("%d characters, over WeCom's %d",
			utf8.RuneCountInString(c.BtnTxt), MaxTextCardBtnTxtChars))
	}
	return nil
}

// UpdateTemplateCardRequest updates a button_interaction, vote_interaction or multiple_interaction card (or a
// text_notice/news_notice card sent with an action menu) for its recipients: either Button (replace the
// clicked button's text) or a whole new TemplateCard. ResponseCode comes from SendResult or from the
// template_card_event callback and is good for one call within 72 hours.
type UpdateTemplateCardRequest struct {
	UserIDs  []string // at most 1,000
	PartyIDs []int    // at most 100
	TagIDs   []int    // at most 100
	AtAll    bool     // every recipient of the card

	AgentID       int // 0: the client's agentid
	ResponseCode  string
	EnableIDTrans bool

	Button       *UpdateButton
	TemplateCard *TemplateCard
}

// UpdateButton turns the card's buttons into one disabled button reading ReplaceName (e.g. "已处理").
type UpdateButton struct {
	ReplaceName string `json:"replace_name"`
}

// UpdateTemplateCardResult lists the userids that could not be updated.
type UpdateTemplateCardResult struct {
	InvalidUser []string `json:"invaliduser"` // an array here, not a "|" string
}

type updateTemplateCardRequest struct {
	UserIDs       []string      `json:"userids,omitempty"`
	PartyIDs      []int         `json:"partyids,omitempty"`
	TagIDs        []int         `json:"tagids,omitempty"`
	AtAll         int           `json:"atall,omitempty"`
	AgentID       int           `json:"agentid"`
	ResponseCode  string        `json:"response_code"`
	EnableIDTrans int           `json:"enable_id_trans,omitempty"`
	Button        *UpdateButton `json:"button,omitempty"`
	TemplateCard  *TemplateCard `json:"template_card,omitempty"`
}

// UpdateTemplateCard updates a template card already sent.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/94945
//
//meta:operation POST /cgi-bin/message/update_template_card
func (s *MessageService) UpdateTemplateCard(ctx context.Context, r *UpdateTemplateCardRequest) (*UpdateTemplateCardResult, error) {
	req, err := s.updateRequest(r)
	if err != nil {
		return nil, err
	}
	var out UpdateTemplateCardResult
	if err := s.client.post(ctx, "message/update_template_card", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EncodeUpdate validates r as UpdateTemplateCard does and returns the exact request body, for the outbox.
func (s *MessageService) EncodeUpdate(r *UpdateTemplateCardRequest) ([]byte, error) {
	req, err := s.updateRequest(r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(req)
}

func (s *MessageService) updateRequest(r *UpdateTemplateCardRequest) (*updateTemplateCardRequest, error) {
	const op = "message/update_template_card"
	if r == nil {
		return nil, invalid(op, "request", "required")
	}
	if err := r.validate(op); err != nil {
		return nil, err
	}
	req := &updateTemplateCardRequest{
		UserIDs:       r.UserIDs,
		PartyIDs:      r.PartyIDs,
		TagIDs:        r.TagIDs,
		AtAll:         boolInt(r.AtAll),
		AgentID:       r.AgentID,
		ResponseCode:  r.ResponseCode,
		EnableIDTrans: boolInt(r.EnableIDTrans),
		Button:        r.Button,
		TemplateCard:  r.TemplateCard,
	}
	if req.AgentID == 0 {
		req.AgentID = s.client.agentID
	}
	return req, nil
}

func (r *UpdateTemplateCardRequest) validate(op string) error {
	if err := required(op, "response_code", r.ResponseCode); err != nil {
		return err
	}
	if !r.AtAll && len(r.UserIDs)+len(r.PartyIDs)+len(r.TagIDs) == 0 {
		return invalid(op, "userids", "no recipient: set UserIDs, PartyIDs, TagIDs or AtAll")
	}
	if err := checkCount(op, "userids", len(r.UserIDs), 0, MaxToUser); err != nil {
		return err
	}
	if err := checkUserIDs(op, "userids", r.UserIDs); err != nil {
		return err
	}
	if err := checkCount(op, "partyids", len(r.PartyIDs), 0, MaxToParty); err != nil {
		return err
	}
	if err := checkCount(op, "tagids", len(r.TagIDs), 0, MaxToTag); err != nil {
		return err
	}
	switch {
	case r.Button == nil && r.TemplateCard == nil:
		return invalid(op, "button", "set Button or TemplateCard")
	case r.Button != nil && r.TemplateCard != nil:
		return invalid(op, "button", "set only one of Button and TemplateCard")
	case r.Button != nil && r.Button.ReplaceName == "":
		return invalid(op, "button.replace_name", "empty")
	case r.TemplateCard != nil:
		return r.TemplateCard.validate(op, "template_card")
	}
	return nil
}

// Recall recalls a message sent within the last 24 hours (WeCom clients only; WeChat keeps it).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/94867
//
//meta:operation POST /cgi-bin/message/recall
func (s *MessageService) Recall(ctx context.Context, msgID string) error {
	const op = "message/recall"
	if err := required(op, "msgid", msgID); err != nil {
		return err
	}
	return s.client.post(ctx, op, struct {
		MsgID string `json:"msgid"`
	}{msgID}, nil)
}

// CardType is a template card's card_type.
type CardType string

// The template card types (DOC/90236 模板卡片消息).
const (
	CardTextNotice          CardType = "text_notice"
	CardNewsNotice          CardType = "news_notice"
	CardButtonInteraction   CardType = "button_interaction"
	CardVoteInteraction     CardType = "vote_interaction"
	CardMultipleInteraction CardType = "multiple_interaction"
)

// interactive reports whether clicks on the card come back as template_card_event callbacks with a
// ResponseCode.
func (t CardType) interactive() bool {
	return t == CardButtonInteraction || t == CardVoteInteraction || t == CardMultipleInteraction
}

func (t CardType) known() bool {
	switch t {
	case CardTextNotice, CardNewsNotice, CardButtonInteraction, CardVoteInteraction, CardMultipleInteraction:
		return true
	}
	return false
}

// TemplateCard is a template card (模板卡片). Which fields apply depends on CardType; the field comments say
// which type needs what. The client checks what WeCom would reject: the card type, task_id, buttons, keys and
// list lengths.
type TemplateCard struct {
	CardType   CardType        `json:"card_type"`
	Source     *CardSource     `json:"source,omitempty"`
	ActionMenu *CardActionMenu `json:"action_menu,omitempty"` // needs TaskID
	MainTitle  *CardTitle      `json:"main_title,omitempty"`
	QuoteArea  *CardQuoteArea  `json:"quote_area,omitempty"`
	// EmphasisContent is the big "key figure" block (text_notice).
	EmphasisContent *CardTitle `json:"emphasis_content,omitempty"`
	SubTitleText    string     `json:"sub_title_text,omitempty"`
	// news_notice: CardImage or ImageTextArea is required.
	CardImage             *CardImage            `json:"card_image,omitempty"`
	ImageTextArea         *CardImageTextArea    `json:"image_text_area,omitempty"`
	VerticalContentList   []CardVerticalContent `json:"vertical_content_list,omitempty"`   // ≤4
	HorizontalContentList []CardHorizontal      `json:"horizontal_content_list,omitempty"` // ≤6
	JumpList              []CardJump            `json:"jump_list,omitempty"`               // ≤3
	// CardAction is the click on the whole card; required for text_notice and news_notice.
	CardAction *CardAction `json:"card_action,omitempty"`
	// TaskID is unique per app: [0-9A-Za-z_@-], ≤128 bytes; required for the interaction types and with
	// ActionMenu. It comes back in the template_card_event callback.
	TaskID string `json:"task_id,omitempty"`
	// button_interaction
	ButtonSelection *CardSelection `json:"button_selection,omitempty"`
	ButtonList      []CardButton   `json:"button_list,omitempty"` // 1..6 for button_interaction
	// vote_interaction
	Checkbox *CardCheckbox `json:"checkbox,omitempty"`
	// multiple_interaction
	SelectList []CardSelection `json:"select_list,omitempty"` // 1..3
	// vote_interaction and multiple_interaction
	SubmitButton *CardSubmitButton `json:"submit_button,omitempty"`
}

// CardSource is the card's source line (icon and text). DescColor: 0 grey, 1 black, 2 red, 3 green.
type CardSource struct {
	IconURL   string `json:"icon_url,omitempty"`
	Desc      string `json:"desc,omitempty"`
	DescColor int    `json:"desc_color,omitempty"`
}

// CardActionMenu is the "…" menu at the card's top right; 1..3 actions, keys unique.
type CardActionMenu struct {
	Desc       string           `json:"desc,omitempty"`
	ActionList []CardActionItem `json:"action_list"`
}

// CardActionItem is one action in the menu; Key comes back as the callback's EventKey (≤1024 bytes).
type CardActionItem struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// CardTitle is a title with a secondary line (main_title, emphasis_content).
type CardTitle struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// Link types for quote_area, image_text_area, jump_list and card_action.
const (
	CardLinkNone        = 0
	CardLinkURL         = 1
	CardLinkMiniProgram = 2
)

// CardQuoteArea is a quoted block; Type is a CardLink* value.
type CardQuoteArea struct {
	Type      int    `json:"type,omitempty"`
	URL       string `json:"url,omitempty"`
	AppID     string `json:"appid,omitempty"`
	PagePath  string `json:"pagepath,omitempty"`
	Title     string `json:"title,omitempty"`
	QuoteText string `json:"quote_text,omitempty"`
}

// CardImage is news_notice's image; AspectRatio 1.3..2.25 (default 1.3).
type CardImage struct {
	URL         string  `json:"url"`
	AspectRatio float64 `json:"aspect_ratio,omitempty"`
}

// CardImageTextArea is news_notice's image-left, text-right block; Type is a CardLink* value.
type CardImageTextArea struct {
	Type     int    `json:"type,omitempty"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
	Title    string `json:"title,omitempty"`
	Desc     string `json:"desc,omitempty"`
	ImageURL string `json:"image_url"`
}

// CardVerticalContent is one title/text pair in news_notice's vertical list.
type CardVerticalContent struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

// Horizontal content link types.
const (
	CardHorizontalText   = 0
	CardHorizontalURL    = 1
	CardHorizontalFile   = 2 // MediaID
	CardHorizontalMember = 3 // UserID: opens the member's profile
)

// CardHorizontal is one "key: value" line; Type is a CardHorizontal* value.
type CardHorizontal struct {
	Type    int    `json:"type,omitempty"`
	KeyName string `json:"keyname"`
	Value   string `json:"value,omitempty"`
	URL     string `json:"url,omitempty"`
	MediaID string `json:"media_id,omitempty"`
	UserID  string `json:"userid,omitempty"`
}

// CardJump is one link in the jump list; Type is a CardLink* value.
type CardJump struct {
	Type     int    `json:"type,omitempty"`
	Title    string `json:"title"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
}

// CardAction is the click on the whole card: Type 1 (CardLinkURL) opens URL, 2 a mini program.
type CardAction struct {
	Type     int    `json:"type"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
}

// Button types.
const (
	CardButtonCallback = 0 // the click comes back as a template_card_event with Key
	CardButtonURL      = 1 // opens URL
)

// CardButton is one button of a button_interaction card. Style is 1..4 (WeCom's default 1).
type CardButton struct {
	Type  int    `json:"type,omitempty"`
	Text  string `json:"text"`
	Style int    `json:"style,omitempty"`
	Key   string `json:"key,omitempty"` // required for callback buttons; ≤1024 bytes, unique
	URL   string `json:"url,omitempty"` // required for URL buttons
}

// CardSelection is a drop-down (button_selection, select_list): 1..10 options.
type CardSelection struct {
	QuestionKey string       `json:"question_key"`
	Title       string       `json:"title,omitempty"`
	SelectedID  string       `json:"selected_id,omitempty"`
	OptionList  []CardOption `json:"option_list"`
}

// CardOption is one option; ID ≤128 bytes, unique within its list.
type CardOption struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// CardCheckbox is vote_interaction's question: 1..20 options; Mode 0 single choice, 1 multiple.
type CardCheckbox struct {
	QuestionKey string               `json:"question_key"`
	OptionList  []CardCheckboxOption `json:"option_list"`
	Mode        int                  `json:"mode,omitempty"`
}

// CardCheckboxOption is one vote option.
type CardCheckboxOption struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	IsChecked bool   `json:"is_checked,omitempty"`
}

// CardSubmitButton is the submit button of vote_interaction and multiple_interaction cards.
type CardSubmitButton struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// validate checks what WeCom would reject. field is the card's field name in the request.
func (c *TemplateCard) validate(op, field string) error {
	f := func(name string) string { return field + "." + name }
	if !c.CardType.known() {
		return invalid(op, f("card_type"), fmt.Sprintf("unknown card type %q", c.CardType))
	}
	if c.TaskID != "" {
		if err := checkTaskID(op, f("task_id"), c.TaskID); err != nil {
			return err
		}
	} else if c.CardType.interactive() || c.ActionMenu != nil {
		return invalid(op, f("task_id"), "required for interaction cards and with action_menu")
	}
	if c.ActionMenu != nil {
		if err := checkCount(op, f("action_menu.action_list"), len(c.ActionMenu.ActionList), 1, 3); err != nil {
			return err
		}
		keys := make([]string, len(c.ActionMenu.ActionList))
		for i, a := range c.ActionMenu.ActionList {
			if err := checkKey(op, f(fmt.Sprintf("action_menu.action_list[%d].key", i)), a.Key); err != nil {
				return err
			}
			keys[i] = a.Key
		}
		if err := checkUnique(op, f("action_menu.action_list.key"), keys); err != nil {
			return err
		}
	}
	if err := checkCount(op, f("horizontal_content_list"), len(c.HorizontalContentList), 0, 6); err != nil {
		return err
	}
	// DOC/90372: every row needs its keyname, and a linked row what it links to; so does a linked quote.
	for i, h := range c.HorizontalContentList {
		row := f(fmt.Sprintf("horizontal_content_list[%d]", i))
		switch {
		case h.KeyName == "":
			return invalid(op, row+".keyname", "required")
		case h.Type < 0 || h.Type > 3:
			return invalid(op, row+".type", fmt.Sprintf("%d is not 0 (text), 1 (url), 2 (file) or 3 (member)", h.Type))
		case h.Type == 1 && h.URL == "":
			return invalid(op, row+".url", "required for type 1")
		case h.Type == 2 && h.MediaID == "":
			return invalid(op, row+".media_id", "required for type 2")
		case h.Type == 3 && h.UserID == "":
			return invalid(op, row+".userid", "required for type 3")
		}
	}
	if q := c.QuoteArea; q != nil {
		switch {
		case q.Type < CardLinkNone || q.Type > CardLinkMiniProgram:
			return invalid(op, f("quote_area.type"), fmt.Sprintf("%d is not 0, 1 (url) or 2 (mini program)", q.Type))
		case q.Type == CardLinkURL && q.URL == "":
			return invalid(op, f("quote_area.url"), "required for type 1")
		case q.Type == CardLinkMiniProgram && q.AppID == "":
			return invalid(op, f("quote_area.appid"), "required for type 2")
		}
	}
	if err := checkCount(op, f("jump_list"), len(c.JumpList), 0, 3); err != nil {
		return err
	}
	if err := checkCount(op, f("vertical_content_list"), len(c.VerticalContentList), 0, 4); err != nil {
		return err
	}
	if err := c.validateButtons(op, f); err != nil {
		return err
	}
	if c.ButtonSelection != nil {
		if err := checkSelection(op, f("button_selection"), c.ButtonSelection); err != nil {
			return err
		}
	}
	switch c.CardType {
	case CardTextNotice:
		if (c.MainTitle == nil || c.MainTitle.Title == "") && c.SubTitleText == "" {
			return invalid(op, f("main_title.title"), "text_notice needs main_title.title or sub_title_text")
		}
		if c.CardAction == nil {
			return invalid(op, f("card_action"), "required for text_notice")
		}
	case CardNewsNotice:
		if c.CardImage == nil && c.ImageTextArea == nil {
			return invalid(op, f("card_image"), "news_notice needs card_image or image_text_area")
		}
		if c.CardAction == nil {
			return invalid(op, f("card_action"), "required for news_notice")
		}
	case CardButtonInteraction:
		if len(c.ButtonList) == 0 {
			return invalid(op, f("button_list"), "button_interaction needs at least one button")
		}
	case CardVoteInteraction:
		if c.Checkbox == nil {
			return invalid(op, f("checkbox"), "required for vote_interaction")
		}
		if err := checkCount(op, f("checkbox.option_list"), len(c.Checkbox.OptionList), 1, 20); err != nil {
			return err
		}
		ids := make([]string, len(c.Checkbox.OptionList))
		for i, o := range c.Checkbox.OptionList {
			if err := checkOptionID(op, f(fmt.Sprintf("checkbox.option_list[%d].id", i)), o.ID); err != nil {
				return err
			}
			ids[i] = o.ID
		}
		if err := checkUnique(op, f("checkbox.option_list.id"), ids); err != nil {
			return err
		}
		if c.SubmitButton == nil {
			return invalid(op, f("submit_button"), "required for vote_interaction")
		}
	case CardMultipleInteraction:
		if err := checkCount(op, f("select_list"), len(c.SelectList), 1, 3); err != nil {
			return err
		}
		for i := range c.SelectList {
			if err := checkSelection(op, f(fmt.Sprintf("select_list[%d]", i)), &c.SelectList[i]); err != nil {
				return err
			}
		}
		if c.SubmitButton == nil {
			return invalid(op, f("submit_button"), "required for multiple_interaction")
		}
	}
	if c.SubmitButton != nil {
		if err := checkKey(op, f("submit_button.key"), c.SubmitButton.Key); err != nil {
			return err
		}
	}
	return nil
}

func (c *TemplateCard) validateButtons(op string, f func(string) string) error {
	if err := checkCount(op, f("button_list"), len(c.ButtonList), 0, MaxCardButtons); err != nil {
		return err
	}
	keys := make([]string, len(c.ButtonList))
	for i, b := range c.ButtonList {
		name := fmt.Sprintf("button_list[%d]", i)
		switch b.Type {
		case CardButtonCallback:
			if err := checkKey(op, f(name+".key"), b.Key); err != nil {
				return err
			}
		case CardButtonURL:
			if b.URL == "" {
				return invalid(op, f(name+".url"), "required for a URL button (type 1)")
			}
			if len(b.Key) > MaxCardKeyBytes {
				return invalid(op, f(name+".key"), fmt.Sprintf("%d bytes, over WeCom's %d", len(b.Key), MaxCardKeyBytes))
			}
		default:
			return invalid(op, f(name+".type"), fmt.Sprintf("unknown button type %d", b.Type))
		}
		if b.Text == "" {
			return invalid(op, f(name+".text"), "empty")
		}
		keys[i] = b.Key
	}
	return checkUnique(op, f("button_list.key"), keys)
}

func checkTaskID(op, field, id string) error {
	if len(id) > MaxTaskIDBytes {
		return invalid(op, field, fmt.Sprintf("%d bytes, over WeCom's %d", len(id), MaxTaskIDBytes))
	}
	for _, r := range id {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-' || r == '@'
		if !ok {
			return invalid(op, field, fmt.Sprintf("character %q not allowed; use [0-9A-Za-z_@-]", r))
		}
	}
	return nil
}

func checkKey(op, field, key string) error {
	if key == "" {
		return invalid(op, field, "required")
	}
	if len(key) > MaxCardKeyBytes {
		return invalid(op, field, fmt.Sprintf("%d bytes, over WeCom's %d", len(key), MaxCardKeyBytes))
	}
	return nil
}

func checkOptionID(op, field, id string) error {
	if id == "" {
		return invalid(op, field, "required")
	}
	if len(id) > MaxCardOptionIDBytes {
		return invalid(op, field, fmt.Sprintf("%d bytes, over WeCom's %d", len(id), MaxCardOptionIDBytes))
	}
	return nil
}

func checkSelection(op, field string, s *CardSelection) error {
	if err := checkKey(op, field+".question_key", s.QuestionKey); err != nil {
		return err
	}
	if err := checkCount(op, field+".option_list", len(s.OptionList), 1, 10); err != nil {
		return err
	}
	ids := make([]string, len(s.OptionList))
	for i, o := range s.OptionList {
		if err := checkOptionID(op, fmt.Sprintf("%s.option_list[%d].id", field, i), o.ID); err != nil {
			return err
		}
		ids[i] = o.ID
	}
	return checkUnique(op, field+".option_list.id", ids)
}
