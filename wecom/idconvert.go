package wecom

import (
	"context"
	"fmt"
)

// IDConvertService converts temporary ids that meetings, forms and docs hand out into external_userids.
type IDConvertService service

// BatchService converts the ids a service-provider (third-party or 代开发) app sees into this app's ids.
type BatchService service

// Limits of the conversion APIs.
const (
	MaxTmpExternalUserIDs = 100
	MaxOpenUserIDs        = 1000
)

// Business types of convert_tmp_external_userid (not the advanced-feature BusinessType).
const (
	TmpIDMeeting = 1 // 会议
	TmpIDForm    = 2 // 收集表
	TmpIDDocs    = 3 // 智能表/文档
)

// User types of convert_tmp_external_userid.
const (
	TmpIDCustomer         = 1 // 客户; needs 客户联系 permission
	TmpIDCorpInterconnect = 2 // 企业互联
	TmpIDUpDownstream     = 3 // 上下游
	TmpIDInterconnected   = 4 // 互联企业(圈子)
)

// TmpIDResult is one converted id: ExternalUserID for a customer, CorpID and UserID for a member of a
// connected corp.
type TmpIDResult struct {
	TmpExternalUserID string `json:"tmp_external_userid"`
	ExternalUserID    string `json:"external_userid,omitempty"`
	CorpID            string `json:"corpid,omitempty"`
	UserID            string `json:"userid,omitempty"`
}

// TmpIDConversion is convert_tmp_external_userid's answer.
type TmpIDConversion struct {
	Results []TmpIDResult `json:"results"`
	Invalid []string      `json:"invalid_tmp_external_userid_list"`
}

// ConvertTmpExternalUserIDs converts up to 100 tmp_external_userids obtained by this app. businessType is a
// TmpID{Meeting,Form,Docs} value, userType a TmpID{Customer,CorpInterconnect,UpDownstream,Interconnected} value.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98729
//
//meta:operation POST /cgi-bin/idconvert/convert_tmp_external_userid
func (s *IDConvertService) ConvertTmpExternalUserIDs(ctx context.Context, businessType, userType int, ids []string) (*TmpIDConversion, error) {
	const op = "idconvert/convert_tmp_external_userid"
	if businessType < TmpIDMeeting || businessType > TmpIDDocs {
		return nil, invalid(op, "business_type", fmt.Sprintf("%d is not 1, 2 or 3", businessType))
	}
	if userType < TmpIDCustomer || userType > TmpIDInterconnected {
		return nil, invalid(op, "user_type", fmt.Sprintf("%d is not 1..4", userType))
	}
	if err := checkCount(op, "tmp_external_userid_list", len(ids), 1, MaxTmpExternalUserIDs); err != nil {
		return nil, err
	}
	in := struct {
		BusinessType int      `json:"business_type"`
		UserType     int      `json:"user_type"`
		IDs          []string `json:"tmp_external_userid_list"`
	}{businessType, userType, ids}
	var out TmpIDConversion
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OpenUserIDMapping is one converted open_userid.
type OpenUserIDMapping struct {
	OpenUserID string `json:"open_userid"`
	UserID     string `json:"userid"`
}

// OpenUserIDConversion is openuserid_to_userid's answer.
type OpenUserIDConversion struct {
	UserIDs            []OpenUserIDMapping `json:"userid_list"`
	InvalidOpenUserIDs []string            `json:"invalid_open_userid_list"`
}

// OpenUserIDToUserID converts up to 1,000 open_userids, obtained by the service-provider app with agentid
// sourceAgentID, into userids. The members must be visible to both apps.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/95884
//
//meta:operation POST /cgi-bin/batch/openuserid_to_userid
func (s *BatchService) OpenUserIDToUserID(ctx context.Context, openUserIDs []string, sourceAgentID int) (*OpenUserIDConversion, error) {
	const op = "batch/openuserid_to_userid"
	if err := checkCount(op, "open_userid_list", len(openUserIDs), 1, MaxOpenUserIDs); err != nil {
		return nil, err
	}
	if sourceAgentID <= 0 {
		return nil, invalid(op, "source_agentid", "required")
	}
	in := struct {
		OpenUserIDs   []string `json:"open_userid_list"`
		SourceAgentID int      `json:"source_agentid"`
	}{openUserIDs, sourceAgentID}
	var out OpenUserIDConversion
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
