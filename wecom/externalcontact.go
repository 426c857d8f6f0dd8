package wecom

import (
	"context"
	"fmt"
	"net/url"
)

// ExternalContactService reads customers (客户, external contacts). The app must be in 「客户联系 - 可调用接口的应用」.
type ExternalContactService service

// ExternalContactType says whether a contact is a WeChat or a WeCom user.
type ExternalContactType int

// External contact types.
const (
	ExternalWeChat ExternalContactType = 1
	ExternalWeCom  ExternalContactType = 2
)

var externalContactTypeNames = map[ExternalContactType]string{
	ExternalWeChat: "WeChat user (微信用户)",
	ExternalWeCom:  "WeCom user (企业微信用户)",
}

func (t ExternalContactType) String() string {
	return enumName("ExternalContactType", t, externalContactTypeNames)
}

// ExternalContact is a customer's profile.
type ExternalContact struct {
	ExternalUserID string              `json:"external_userid"`
	Name           string              `json:"name"`
	Position       string              `json:"position"`
	Avatar         string              `json:"avatar"`
	CorpName       string              `json:"corp_name"`
	CorpFullName   string              `json:"corp_full_name"`
	Type           ExternalContactType `json:"type"`
	Gender         Gender              `json:"gender"`
	UnionID        string              `json:"unionid"`
}

// FollowUser is a member who added the contact, with that member's notes on it.
type FollowUser struct {
	UserID         string          `json:"userid"`
	Remark         string          `json:"remark"`
	Description    string          `json:"description"`
	CreateTime     int64           `json:"createtime"`
	Tags           []FollowUserTag `json:"tags"`
	RemarkCorpName string          `json:"remark_corp_name"`
	RemarkMobiles  []string        `json:"remark_mobiles"`
	OperUserID     string          `json:"oper_userid"`
	AddWay         int             `json:"add_way"` // how the contact was added (WeCom's 来源定义 table)
	State          string          `json:"state"`
}

// FollowUserTag is a tag the member put on the contact. Type 1 is a corp tag (with TagID), 2 the member's own.
type FollowUserTag struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id"`
	Type      int    `json:"type"`
}

// ExternalContactDetail is externalcontact/get's answer: the contact and every member following it.
type ExternalContactDetail struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowUser      []FollowUser    `json:"follow_user"`
}

// Get reads a customer. WeCom pages follow_user (500 a page) when more members follow the contact; Get fetches
// every page and returns them together.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92114
//
//meta:operation GET /cgi-bin/externalcontact/get
func (s *ExternalContactService) Get(ctx context.Context, externalUserID string) (*ExternalContactDetail, error) {
	const op = "externalcontact/get"
	if err := required(op, "external_userid", externalUserID); err != nil {
		return nil, err
	}
	var detail *ExternalContactDetail
	cursor := ""
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page >= MaxPages {
			return nil, fmt.Errorf("%w: %s: more than %d pages", ErrTooManyPages, op, MaxPages)
		}
		q := url.Values{"external_userid": {externalUserID}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out struct {
			ExternalContactDetail
			NextCursor string `json:"next_cursor"`
		}
		if err := s.client.get(ctx, op, q, &out); err != nil {
			return nil, err
		}
		if detail == nil {
			d := out.ExternalContactDetail
			detail = &d
		} else {
			detail.FollowUser = append(detail.FollowUser, out.FollowUser...)
		}
		if out.NextCursor == "" {
			return detail, nil
		}
		if seen[out.NextCursor] {
			return nil, fmt.Errorf("%w: %s: cursor %q repeated", ErrTooManyPages, op, out.NextCursor)
		}
		seen[out.NextCursor] = true
		cursor = out.NextCursor
	}
}

// FromServiceExternalUserID converts the external_userid a service-provider (third-party or 代开发) app with
// agentid sourceAgentID obtained into this app's external_userid. Needs 客户联系 permission; the contact's
// follower must be visible to both apps.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/95884
//
//meta:operation POST /cgi-bin/externalcontact/from_service_external_userid
func (s *ExternalContactService) FromServiceExternalUserID(ctx context.Context, externalUserID string, sourceAgentID int) (string, error) {
	const op = "externalcontact/from_service_external_userid"
	if err := required(op, "external_userid", externalUserID); err != nil {
		return "", err
	}
	if sourceAgentID <= 0 {
		return "", invalid(op, "source_agentid", "required")
	}
	in := struct {
		ExternalUserID string `json:"external_userid"`
		SourceAgentID  int    `json:"source_agentid"`
	}{externalUserID, sourceAgentID}
	var out struct {
		ExternalUserID string `json:"external_userid"`
	}
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return "", err
	}
	return out.ExternalUserID, nil
}
